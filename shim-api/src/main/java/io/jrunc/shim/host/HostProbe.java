package io.jrunc.shim.host;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * How to tell whether the host meets one requirement: {@code check} returns what it found, or throws with
 * what is missing. Probes are cheap (a syscall, a file read, a PATH lookup) and never start a process,
 * so the daemon can run them next to its reaper.
 */
public record HostProbe(String name, Callable<String> check) {

    public HostRequirement run() {
        try {
            return HostRequirement.met(name, check.call());
        } catch (Exception | LinkageError e) {
            String message = e.getMessage();
            return HostRequirement.missing(name, message == null || message.isBlank() ? e.toString() : message);
        }
    }

    public static List<HostRequirement> runAll(List<HostProbe> probes) {
        List<HostRequirement> results = new ArrayList<>(probes.size());
        for (HostProbe probe : probes) {
            results.add(probe.run());
        }
        return List.copyOf(results);
    }

    /** A failed probe's exception: its message is the whole explanation. */
    public static final class Missing extends Exception {
        private static final long serialVersionUID = 1L;

        public Missing(String message) {
            super(message, null, false, false);
        }
    }
}
