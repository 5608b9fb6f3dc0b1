package io.jrunc.bench;

import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.ShimUnderTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Memory of the shims: K {@code sleep} containers started one after another with {@code ctr run -d},
 * then, once settled, RSS and PSS summed over every shim daemon of that kind serving our containerd.
 * One shim at a time (PSS shares pages among the processes alive together, so the two kinds must
 * not be measured side by side). Starting stops early, and says so, when the machine runs short of
 * memory or the start-up takes too long.
 */
final class MemoryBench implements Workload {
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final int SAMPLES = 3;
    private static final long MEMORY_RESERVE = 2L << 30;
    private static final Duration START_BUDGET = Duration.ofMinutes(20);
    private static final Duration GONE_TIMEOUT = Duration.ofSeconds(60);
    private static final double MB = 1e6;

    @Override
    public String title() {
        return "shim memory with running containers";
    }

    /** How one shim's memory step went. */
    private sealed interface Outcome permits Usage, Failure {
    }

    /** What one shim used with {@code started} containers (a cap or a process-count mismatch in {@code note}). */
    private record Usage(int started, int daemons, double startSeconds, SmapsRollup memory, long threads, String note)
            implements Outcome {
    }

    private record Failure(String error) implements Outcome {
    }

    @Override
    public void run(BenchSession session, ResultTable table) {
        List<Integer> counts = session.plan().memoryCounts();
        for (int k = 0; k < counts.size(); k++) {
            int count = counts.get(k);
            Map<ShimUnderTest, Outcome> outcome = new EnumMap<>(ShimUnderTest.class);
            for (ShimUnderTest shim : k % 2 == 0 ? List.of(ShimUnderTest.GO, ShimUnderTest.JAVA)
                    : List.of(ShimUnderTest.JAVA, ShimUnderTest.GO)) {
                try {
                    outcome.put(shim, measure(session, table, shim, count));
                } catch (RuntimeException e) {
                    System.out.println("  " + shim + " failed: " + e);
                    outcome.put(shim, new Failure(e.toString()));
                }
            }
            String label = count + " sleep container" + (count == 1 ? "" : "s");
            table.add(row("shim RSS total, " + label + ", MB", outcome, u -> u.memory().rssBytes() / MB));
            table.add(row("shim PSS total, " + label + ", MB", outcome, u -> u.memory().pssBytes() / MB));
            table.add(row("shim threads total, " + label, outcome, Usage::threads));
            if (count > 1) {
                table.add(row("shim PSS per container, " + label + ", MB", outcome,
                        u -> u.memory().pssBytes() / MB / Math.max(1, u.started())));
            }
            table.add(row("start " + label + " one by one (`ctr run -d`), s total", outcome, Usage::startSeconds));
        }
    }

    private static ResultRow row(String metric, Map<ShimUnderTest, Outcome> outcome,
                                 java.util.function.ToDoubleFunction<Usage> value) {
        return new ResultRow(metric, cell(outcome.get(ShimUnderTest.GO), value), cell(outcome.get(ShimUnderTest.JAVA), value));
    }

    private static Measurement cell(Outcome outcome, java.util.function.ToDoubleFunction<Usage> value) {
        return switch (outcome) {
            case Usage u -> Measurement.Value.single(value.applyAsDouble(u), u.note());
            case Failure f -> new Measurement.Failed(f.error());
        };
    }

    private Usage measure(BenchSession session, ResultTable table, ShimUnderTest shim, int count) {
        BenchContainers containers = session.containers();
        String tag = shim.name().toLowerCase(Locale.ROOT);
        awaitNoDaemons(session, shim, table);
        List<String> ids = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int failuresInARow = 0;
        int attempts = 0;
        int failures = 0;
        String firstFailure = "";
        long t0 = System.nanoTime();
        try {
            while (ids.size() < count) {
                long available = MemInfo.availableBytes();
                if (available < MEMORY_RESERVE) {
                    notes.add("capped at " + ids.size() + ": MemAvailable " + (available >> 20) + " MiB");
                    break;
                }
                if (System.nanoTime() - t0 > START_BUDGET.toNanos()) {
                    notes.add("capped at " + ids.size() + ": starting took over " + START_BUDGET.toMinutes() + " min");
                    break;
                }
                // A fresh id per attempt: a failed container that cannot be removed at once must not block the next.
                String id = "mem-" + tag + "-" + count + "-" + attempts++;
                try {
                    // With stdio, as CRI runs every container: the shim copies each one's output.
                    containers.startDetachedWithStdio(shim, id, "/bin/sleep", "3600");
                    ids.add(id);
                    failuresInARow = 0;
                } catch (RuntimeException e) {
                    String summary = new Measurement.Failed(String.valueOf(e.getMessage())).summary();
                    if (failures++ == 0) {
                        firstFailure = summary;
                    }
                    System.out.println("  " + shim + ": starting " + id + " failed: " + summary);
                    LifecycleBench.removeQuietly(containers, id);
                    if (++failuresInARow >= 3) {
                        throw new IllegalStateException("cannot start containers (" + ids.size() + " running): " + e.getMessage(), e);
                    }
                }
                if (ids.size() % 10 == 0 && ids.size() > 0) {
                    System.out.printf(Locale.ROOT, "  %s: %d/%d containers running after %.0f s%n", shim, ids.size(), count,
                            (System.nanoTime() - t0) / 1e9);
                }
            }
            double startSeconds = (System.nanoTime() - t0) / 1e9;
            if (failures > 0) {
                notes.addFirst(failures + " of " + attempts + " starts failed");
                table.note(shim + ", " + count + " containers: the first failed start: " + firstFailure);
            }
            if (ids.isEmpty()) {
                throw new IllegalStateException("no container started: " + String.join("; ", notes));
            }
            // `ctr run -d` returned after Start, so each container's daemon is up; a shim that groups
            // containers has fewer daemons than containers, which the note reports.
            Usage usage = sample(session, shim, ids.size(), startSeconds, notes);
            System.out.printf(Locale.ROOT, "  %s with %d containers: %d daemons, RSS %.0f MB, PSS %.0f MB, started in %.1f s%n",
                    shim, usage.started(), usage.daemons(), usage.memory().rssBytes() / MB, usage.memory().pssBytes() / MB,
                    usage.startSeconds());
            notes.forEach(n -> table.note(shim + ", " + count + " containers: " + n));
            return usage;
        } finally {
            containers.removeAll(ids).forEach(f -> System.out.println("  " + f));
        }
    }

    /** After a settling pause, the median of a few samples a second apart (the JVM's heap moves a little). */
    private static Usage sample(BenchSession session, ShimUnderTest shim, int started, double startSeconds, List<String> notes) {
        sleep(SETTLE);
        List<SmapsRollup> samples = new ArrayList<>();
        int daemons = 0;
        long threads = 0;
        for (int i = 0; i < SAMPLES; i++) {
            if (i > 0) {
                sleep(Duration.ofSeconds(1));
            }
            List<Long> pids = ShimProcesses.daemons(session.containerd(), shim);
            daemons = pids.size();
            samples.add(SmapsRollup.sum(pids));
            threads = ProcessThreads.count(pids);
        }
        if (daemons == 0) {
            throw new IllegalStateException("no " + shim + " shim daemon of this containerd found by command line"
                    + " (with " + started + " containers running): has the daemon's command line changed?");
        }
        samples.sort(java.util.Comparator.comparingLong(SmapsRollup::pssBytes));
        if (daemons != started) {
            notes.add(daemons + " shim daemon" + (daemons == 1 ? "" : "s") + " for " + started + " containers");
        }
        String note = notes.isEmpty() ? "" : String.join("; ", notes);
        return new Usage(started, daemons, startSeconds, samples.get(SAMPLES / 2), threads, note);
    }

    /** Shims of the previous step must be gone, or they would be counted too. */
    private static void awaitNoDaemons(BenchSession session, ShimUnderTest shim, ResultTable table) {
        if (!Poll.until(GONE_TIMEOUT, () -> ShimProcesses.daemons(session.containerd(), shim).isEmpty())) {
            List<Long> left = ShimProcesses.daemons(session.containerd(), shim);
            table.note(shim + ": " + left.size() + " shim daemons still running before a memory step (counted in it): " + left);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
