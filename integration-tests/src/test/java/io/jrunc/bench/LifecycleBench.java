package io.jrunc.bench;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.ShimUnderTest;
import java.time.Duration;
import java.util.Locale;

/**
 * A whole container life as a user sees it: {@code ctr run --rm <id> /bin/true} (create, start,
 * wait, delete; shim start-up and shutdown included), wall time per run, shims in turn.
 */
final class LifecycleBench implements Workload {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
    static final int MAX_FAILURES_IN_A_ROW = 3;

    @Override
    public String title() {
        return "lifecycle: ctr run --rm /bin/true";
    }

    @Override
    public void run(BenchSession session, ResultTable table) {
        BenchContainers containers = session.containers();
        Ctr ctr = containers.ctr().withTimeout(RUN_TIMEOUT);
        ShimTrial go = new ShimTrial(ShimUnderTest.GO, MAX_FAILURES_IN_A_ROW);
        ShimTrial java = new ShimTrial(ShimUnderTest.JAVA, MAX_FAILURES_IN_A_ROW);
        for (ShimTrial t : ShimTrial.inTurn(0, go, java)) {
            // Warm-up: page cache for the binaries and jars, containerd's first-use paths.
            once(containers, ctr, t, "lc-warm-" + tag(t), false);
        }
        int runs = session.plan().lifecycleRuns();
        for (int i = 0; i < runs; i++) {
            for (ShimTrial t : ShimTrial.inTurn(i, go, java)) {
                if (!t.stopped()) {
                    once(containers, ctr, t, "lc-" + tag(t) + "-" + i, true);
                }
            }
        }
        table.add("lifecycle `ctr run --rm /bin/true`, ms, median (p90)", 0.90, go, java);
    }

    private static void once(BenchContainers containers, Ctr ctr, ShimTrial trial, String id, boolean record) {
        long t0 = System.nanoTime();
        try {
            CommandResult r = ctr.run(containers.foregroundRunArgs(trial.shim(), id, "/bin/true").toArray(String[]::new));
            double ms = (System.nanoTime() - t0) / 1e6;
            if (!r.ok()) {
                trial.fail(r.describe());
                removeQuietly(containers, id);
            } else if (record) {
                trial.add(ms);
            } else {
                System.out.printf(Locale.ROOT, "  %s warm-up %.0f ms%n", trial.shim(), ms);
            }
        } catch (RuntimeException e) {
            trial.fail(e.toString());
            removeQuietly(containers, id);
        }
    }

    static String tag(ShimTrial t) {
        return t.shim().name().toLowerCase(Locale.ROOT);
    }

    static void removeQuietly(BenchContainers containers, String id) {
        try {
            containers.remove(id);
        } catch (RuntimeException e) {
            System.out.println("  cannot remove " + id + " now (retried at the end): " + e.getMessage());
        }
    }
}
