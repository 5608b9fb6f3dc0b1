package io.jrunc.bench;

import io.jrunc.it.harness.ItPaths;
import io.jrunc.it.harness.ShimUnderTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Side-by-side benchmark of the Go shim (io.containerd.runc.v2) and jrunc (io.containerd.jrunc.v2)
 * on one private containerd: lifecycle, exec, ttrpc round trip, stdout/stderr throughput and shim
 * memory, plus the bare {@code runc run} floor. Not a test; run it with {@code scripts/bench.sh
 * [--quick]} (root). Prints a Markdown table and writes it to integration-tests/target/bench/results.md.
 *
 * <p>Every container and process it starts is removed at the end, also on failure or Ctrl-C (a
 * shutdown hook closes the session). Exit status: 0 all rows measured (n/a rows included), 3 some
 * row failed, 1 the benchmark could not start, 2 bad arguments.
 */
public final class ShimBenchmark {
    /** Runs only the workloads whose class names it lists (comma-separated, e.g. ManyConnectionsStateBench). */
    static final String ONLY_ENV = "JRUNC_BENCH_ONLY";

    private static boolean selected(Workload w) {
        String only = System.getenv(ONLY_ENV);
        return only == null || only.isBlank() || List.of(only.split(",")).contains(w.getClass().getSimpleName());
    }

    private static final List<Workload> WORKLOADS = List.of(
            new RuncFloorBench(),
            new LifecycleBench(),
            new ExecBench(),
            new StateRoundTripBench(),
            new ManyConnectionsStateBench(),
            new StdioThroughputBench(),
            new MemoryBench());

    private ShimBenchmark() {
    }

    public static void main(String[] args) {
        BenchPlan plan;
        try {
            plan = BenchPlan.fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(plan));
    }

    private static int run(BenchPlan plan) {
        if (!isRoot()) {
            System.err.println("the benchmark runs containerd and runc: run it as root");
            return 1;
        }
        for (ShimUnderTest shim : ShimUnderTest.values()) {
            if (!shim.installed()) {
                System.err.println(shim + " shim " + shim.binary() + " is missing (mvn -B install at the project root builds jrunc's dist)");
                return 1;
            }
        }
        ResultTable table = new ResultTable();
        List<String> environment = BenchEnvironment.describe(plan);
        environment.forEach(table::environment);
        System.out.println("jrunc shim benchmark (" + plan.name() + ")");
        environment.forEach(line -> System.out.println("  " + line));

        BenchSession session;
        try {
            session = BenchSession.open(plan);
        } catch (RuntimeException | Error e) {
            System.err.println("cannot start the private containerd: " + e);
            return 1;
        }
        Thread hook = Thread.ofPlatform().unstarted(session::abandon);
        Runtime.getRuntime().addShutdownHook(hook);
        table.environment("containerd: private daemon in " + session.containerd().dir() + " (log "
                + session.containerd().logFile() + "), namespace " + session.namespace());
        try {
            for (Workload w : WORKLOADS) {
                if (session.closed()) {
                    break;
                }
                if (!selected(w)) {
                    continue;
                }
                System.out.println();
                System.out.println("== " + w.title());
                long t0 = System.nanoTime();
                try {
                    w.run(session, table);
                } catch (Exception | Error e) {
                    System.out.println("  workload failed: " + e);
                    table.add(ResultRow.failedForBoth(w.title(), e.toString()));
                }
                System.out.printf(Locale.ROOT, "  (%.0f s)%n", (System.nanoTime() - t0) / 1e9);
            }
        } finally {
            session.close();
        }
        table.environment("load average at end: " + BenchEnvironment.loadAverage());
        String markdown = table.toMarkdown();
        System.out.println();
        System.out.println(markdown);
        Path results = ItPaths.projectRoot().resolve("integration-tests/target/bench/results.md");
        try {
            Files.createDirectories(results.getParent());
            Files.writeString(results, "## jrunc shim benchmark (" + plan.name() + ")\n\n" + markdown);
            System.out.println("written to " + results);
        } catch (IOException e) {
            System.err.println("cannot write " + results + ": " + e);
        }
        return table.hasFailures() ? 3 : 0;
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:"))
                    .anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }
}
