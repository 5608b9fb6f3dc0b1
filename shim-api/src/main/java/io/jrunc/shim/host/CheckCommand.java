package io.jrunc.shim.host;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code containerd-shim-jrunc-v2 check}: whether this host has what the shim needs, one line per
 * requirement; exit status 1 when something is missing. {@code jrunc-install} runs it before switching
 * to a new version; the daemon runs the same probes and refuses Create with their findings.
 */
public final class CheckCommand {
    public static final String NAME = "check";

    private final List<HostProbe> probes;

    public CheckCommand(List<HostProbe> probes) {
        this.probes = List.copyOf(probes);
    }

    public int run(PrintStream out) {
        List<HostRequirement> results = HostProbe.runAll(probes);
        for (HostRequirement r : results) {
            out.printf("%-8s %s: %s%n", r.met() ? "ok" : "MISSING", r.name(), r.detail());
        }
        long missing = results.stream().filter(r -> !r.met()).count();
        out.println(missing == 0 ? "this host has everything jrunc needs"
                : missing + " requirement(s) missing: jrunc cannot run containers here until they are met");
        out.flush();
        return missing == 0 ? 0 : 1;
    }

    /** One sentence for an error answer: what is missing, and where to see the full list. */
    public static String describeMissing(List<HostRequirement> results) {
        StringBuilder text = new StringBuilder("this host lacks what jrunc needs: ");
        String separator = "";
        for (HostRequirement r : results) {
            if (!r.met()) {
                text.append(separator).append(r.name()).append(": ").append(r.detail());
                separator = "; ";
            }
        }
        return text.append(" (containerd-shim-jrunc-v2 check lists every requirement)").toString();
    }
}
