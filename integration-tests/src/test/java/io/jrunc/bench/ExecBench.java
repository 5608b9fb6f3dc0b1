package io.jrunc.bench;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimUnderTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Exec latency: {@code ctr task exec --exec-id eN <id> /bin/true} into a running {@code sleep}
 * container, wall time per exec (the shim's Exec, Start, Wait and Delete of the process, plus ctr).
 * A shim answering UNIMPLEMENTED gets "n/a" rather than an error.
 */
final class ExecBench implements Workload {
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public String title() {
        return "exec: ctr task exec /bin/true";
    }

    @Override
    public void run(BenchSession session, ResultTable table) {
        BenchContainers containers = session.containers();
        Ctr ctr = containers.ctr().withTimeout(EXEC_TIMEOUT);
        ShimTrial go = new ShimTrial(ShimUnderTest.GO, LifecycleBench.MAX_FAILURES_IN_A_ROW);
        ShimTrial java = new ShimTrial(ShimUnderTest.JAVA, LifecycleBench.MAX_FAILURES_IN_A_ROW);
        List<String> started = new ArrayList<>();
        Map<ShimUnderTest, Path> sockets = new EnumMap<>(ShimUnderTest.class);
        Map<ShimUnderTest, Long> cpuTicks = new EnumMap<>(ShimUnderTest.class);
        Map<ShimUnderTest, Integer> measured = new EnumMap<>(ShimUnderTest.class);
        try {
            for (ShimTrial t : List.of(go, java)) {
                String id = "ex-" + LifecycleBench.tag(t);
                try {
                    started.add(id);
                    containers.startDetached(t.shim(), id, "/bin/sleep", "3600");
                    sockets.put(t.shim(), ShimAddress.fromBundle(session.containerd().bundle(session.namespace(), id)));
                    exec(containers, ctr, t, id, 0, false);
                } catch (RuntimeException e) {
                    t.fail("cannot start the container to exec into: " + e.getMessage());
                    t.giveUp();
                }
            }
            for (int i = 1; i <= session.plan().execRuns(); i++) {
                for (ShimTrial t : ShimTrial.inTurn(i, go, java)) {
                    if (!t.stopped()) {
                        Path socket = sockets.get(t.shim());
                        long before = ShimCpu.ticks(socket);
                        exec(containers, ctr, t, "ex-" + LifecycleBench.tag(t), i, true);
                        cpuTicks.merge(t.shim(), ShimCpu.ticks(socket) - before, Long::sum);
                        measured.merge(t.shim(), 1, Integer::sum);
                    }
                }
            }
        } finally {
            containers.removeAll(started).forEach(f -> System.out.println("  " + f));
        }
        table.add("exec `ctr task exec /bin/true` into a running container, ms, median (p90)", 0.90, go, java);
        // The shim's own CPU (runc's is its children's, not counted): what the shim adds to runc's work.
        table.note("shim CPU per exec (user+system, without runc): GO "
                + ShimCpu.microsPer(cpuTicks.get(ShimUnderTest.GO), measured.getOrDefault(ShimUnderTest.GO, 0))
                + " µs, JAVA "
                + ShimCpu.microsPer(cpuTicks.get(ShimUnderTest.JAVA), measured.getOrDefault(ShimUnderTest.JAVA, 0))
                + " µs");
    }

    private static void exec(BenchContainers containers, Ctr ctr, ShimTrial trial, String id, int n, boolean record) {
        long t0 = System.nanoTime();
        CommandResult r;
        try {
            r = ctr.run("task", "exec", "--fifo-dir", containers.fifoDir().toString(), "--exec-id", "e" + n, id, "/bin/true");
        } catch (RuntimeException e) {
            trial.fail(e.toString());
            return;
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.ok()) {
            if (record) {
                trial.add(ms);
            } else {
                System.out.printf(Locale.ROOT, "  %s warm-up exec %.0f ms%n", trial.shim(), ms);
            }
        } else if (notImplemented(r)) {
            trial.unavailable("UNIMPLEMENTED");
        } else {
            trial.fail(r.describe());
        }
    }

    /** containerd turns a shim's UNIMPLEMENTED status into "not implemented" (errdefs.ErrNotImplemented). */
    static boolean notImplemented(CommandResult r) {
        String err = r.stderr().toLowerCase(Locale.ROOT);
        return err.contains("not implemented") || err.contains("unimplemented");
    }
}
