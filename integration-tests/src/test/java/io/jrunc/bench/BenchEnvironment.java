package io.jrunc.bench;

import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.ItPaths;
import io.jrunc.it.harness.ShimUnderTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the numbers were measured on: machine, kernel, tool versions, JDKs, jrunc revision, load. */
final class BenchEnvironment {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(20);
    /** Where jrunc reads its settings unless JRUNC_CONFIG says otherwise. */
    private static final String DEFAULT_CONFIG = "/etc/jrunc/config.toml";
    /** scripts/bench.sh's own variables, not the shim's. */
    private static final List<String> BENCH_SCRIPT_VARS = List.of("JRUNC_SKIP_BUILD", "JRUNC_MVN_FLAGS");

    private BenchEnvironment() {
    }

    static List<String> describe(BenchPlan plan) {
        List<String> lines = new ArrayList<>();
        lines.add("date: " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ", plan: " + plan.name());
        lines.add("kernel: " + read("/proc/sys/kernel/osrelease").map(String::strip).orElse("?")
                + ", cgroup " + (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? "v2" : "v1"));
        lines.add("CPUs: " + Runtime.getRuntime().availableProcessors() + " x " + cpuModel()
                + ", memory: " + Math.round(MemInfo.totalBytes() / (double) (1L << 30)) + " GiB");
        lines.add("containerd: " + firstLine("containerd", "--version") + "; ctr: " + firstLine("ctr", "--version"));
        lines.add("runc: " + firstLine("runc", "--version"));
        lines.add("Go shim: " + ShimUnderTest.GO.binary() + " " + goShimVersion());
        lines.add("jrunc: " + ShimUnderTest.JAVA.binary() + " at " + revision());
        lines.add("JDK of the benchmark: " + System.getProperty("java.vm.name") + " " + Runtime.version()
                + " (" + System.getProperty("java.home") + "); JAVA_HOME=" + System.getenv().getOrDefault("JAVA_HOME", "")
                + " (the jrunc launcher picks its JVM from JRUNC_JAVA_HOME, the JDK it was built for, JAVA_HOME)");
        lines.add("jrunc settings (containerd passes its environment to the shims): " + jruncSettings());
        lines.add("load average at start: " + loadAverage());
        return lines;
    }

    /** JRUNC_* variables of this process (containerd inherits them, so the shims see them) and the config file. */
    private static String jruncSettings() {
        List<String> vars = new ArrayList<>(System.getenv().entrySet().stream()
                .filter(e -> e.getKey().startsWith("JRUNC_") && !BENCH_SCRIPT_VARS.contains(e.getKey()))
                .map(e -> e.getKey() + "=" + e.getValue())
                .sorted().toList());
        if (vars.isEmpty()) {
            vars.add("no JRUNC_* variables");
        }
        String config = Optional.ofNullable(System.getenv("JRUNC_CONFIG")).orElse(DEFAULT_CONFIG);
        vars.add("config file " + config + (Files.isRegularFile(Path.of(config)) ? " present" : " absent"));
        return String.join(", ", vars);
    }

    static String loadAverage() {
        return read("/proc/loadavg").map(s -> String.join(" ", List.of(s.strip().split(" ")).subList(0, 3)))
                .orElse("?");
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String goShimVersion() {
        CommandResult r = tool(ShimUnderTest.GO.binary().toString(), "-v");
        return r.stdout().lines().map(String::strip).filter(l -> l.startsWith("Version:"))
                .map(l -> l.substring("Version:".length()).strip()).findFirst().orElse("(version unknown)");
    }

    private static String revision() {
        String root = ItPaths.projectRoot().toString();
        CommandResult head = tool("git", "-C", root, "rev-parse", "--short", "HEAD");
        if (!head.ok()) {
            return "(no git revision)";
        }
        CommandResult status = tool("git", "-C", root, "status", "--porcelain", "--untracked-files=no");
        return "git " + head.stdout().strip() + (status.ok() && !status.stdout().isBlank() ? " + uncommitted changes" : "");
    }

    private static String firstLine(String... command) {
        CommandResult r = tool(command);
        return r.stdout().lines().findFirst().orElse("(unknown)").strip();
    }

    private static CommandResult tool(String... command) {
        try {
            return Command.run(TOOL_TIMEOUT, List.of(command));
        } catch (RuntimeException e) {
            return new CommandResult(List.of(command), -1, "", e.toString());
        }
    }

    private static Optional<String> read(String file) {
        try {
            return Optional.of(Files.readString(Path.of(file)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
