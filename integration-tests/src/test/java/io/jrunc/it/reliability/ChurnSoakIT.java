package io.jrunc.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.ItPaths;
import io.jrunc.it.harness.JruncGrouping;
import io.jrunc.it.harness.Leftovers;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ScenarioSuite;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.it.harness.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * High pod churn, as on a busy node: {@code ctr run --rm} lifecycles, {@value #DEFAULT_PARALLEL} at a time, each
 * container printing a line of its own that is checked. For the JAVA shim in its default grouping (one daemon for
 * the namespace) the daemon's fds, threads and RSS after the churn must be back within a small bound of what they
 * were after a warm-up, and nothing of any container (mount, cgroup, bundle, runc state, fifo, socket) may be
 * left. GO runs the same churn as the reference for output and time.
 *
 * <p>A long-running "keeper" container stays up during the churn, as on a real node, so the namespace daemon
 * serves the whole run rather than lingering out between bursts.
 *
 * <pre>
 * mvn -B -o verify -pl integration-tests -am -Dit.test=ChurnSoakIT -Djrunc.it.churn.lifecycles=1000 \
 *     -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 * ({@code -Djrunc.it.churn.shims=JAVA} runs one shim only.)
 */
@Timeout(value = 45, unit = TimeUnit.MINUTES)
class ChurnSoakIT extends ScenarioSuite {
    static final int DEFAULT_LIFECYCLES = 200;
    static final int DEFAULT_PARALLEL = 10;
    static final int LIFECYCLES = Integer.getInteger("jrunc.it.churn.lifecycles", DEFAULT_LIFECYCLES);
    static final int PARALLEL = Integer.getInteger("jrunc.it.churn.parallel", DEFAULT_PARALLEL);
    static final int FD_BOUND = 2;
    static final int THREAD_BOUND = 3;
    static final long RSS_BOUND_KB = 10 * 1024;
    private static final Duration SETTLE = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void churn(ShimUnderTest shim) throws Exception {
        String only = System.getProperty("jrunc.it.churn.shims", "").strip();
        Assumptions.assumeTrue(only.isEmpty() || List.of(only.split(",")).contains(shim.name()),
                () -> shim + " not selected by -Djrunc.it.churn.shims=" + only);
        try (ShimScenario s = begin(shim)) {
            Leftovers leftovers = Leftovers.snapshot(containerd, s.namespace(), rootfs.path());
            s.runDetached("keeper", "/bin/sleep", "3600");
            Long daemon = shim == ShimUnderTest.JAVA ? namespaceDaemon(s) : null;

            List<String> warmIds = new ArrayList<>();
            Round warm = churn(s, "warm", 2 * PARALLEL, warmIds);
            assertEquals(List.of(), warm.lost, "warm-up lifecycles lost");
            DaemonGauge before = daemon == null ? null : DaemonGauge.of(daemon);

            List<String> ids = new ArrayList<>();
            Round round = churn(s, "churn", LIFECYCLES, ids);

            DaemonGauge after = null;
            if (daemon != null) {
                assertEquals(daemon, namespaceDaemon(s), "one daemon served the whole churn");
                // Pools shrink after their keep-alive; give them the time to.
                Poll.until(SETTLE, () -> withinBounds(before, DaemonGauge.of(daemon)));
                after = DaemonGauge.of(daemon);
            }
            List<String> fifos = fifosLeft();
            String summary = "CHURN shim=" + shim + " lifecycles=" + LIFECYCLES + " parallel=" + PARALLEL
                    + " lost=" + round.lost.size() + " wall=" + String.format("%.1f", round.seconds) + "s"
                    + String.format(" (%.1f lifecycles/s)", LIFECYCLES / round.seconds)
                    + (before == null ? "" : " fds " + before.fds() + "->" + after.fds()
                    + " threads " + before.threads() + "->" + after.threads()
                    + " rssKB " + before.rssKb() + "->" + after.rssKb());
            System.out.println(summary);
            Files.writeString(ItPaths.logDir().resolve("churn-summary.txt"), java.time.Instant.now() + " " + summary + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);

            if (before != null) {
                assertTrue(withinBounds(before, after), "daemon " + daemon + " after the churn: " + after
                        + "; before: " + before + " (bounds: fds +-" + FD_BOUND + ", threads +-" + THREAD_BOUND
                        + ", RSS +" + RSS_BOUND_KB / 1024 + " MB)");
            }
            assertEquals(List.of(), fifos, "stdio fifos left in " + containerd.fifoDir());
            s.remove("keeper");
            if (daemon != null) {
                assertTrue(Poll.until(SETTLE, () -> !Procs.running(daemon)), "the daemon exits after its linger");
            }
            List<String> all = new ArrayList<>(ids);
            all.addAll(warmIds);
            leftovers.assertNone(Duration.ofSeconds(15), all.toArray(String[]::new));
            // Leaks and bounds are checked first, so that a run with a lost lifecycle still reports them.
            assertEquals(List.of(), round.lost.subList(0, Math.min(5, round.lost.size())),
                    round.lost.size() + " of " + LIFECYCLES + " lifecycles lost (first 5 shown)");
        }
    }

    private record Round(List<String> lost, double seconds) {
    }

    /** {@code count} lifecycles ({@code ctr run --rm ... echo <prefix>-<n>}), {@link #PARALLEL} at a time. */
    private static Round churn(ShimScenario s, String prefix, int count, List<String> ids) throws Exception {
        List<String> lost = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        for (int n = 0; n < count; n++) {
            ids.add(prefix + "-" + n);
        }
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < PARALLEL; w++) {
                workers.add(pool.submit(() -> {
                    for (int n = next.getAndIncrement(); n < count; n = next.getAndIncrement()) {
                        String id = prefix + "-" + n;
                        String expected = id + "\n";
                        CommandResult r;
                        try {
                            r = s.ctr().run(s.ctrRunArgs(List.of("--rm", "--fifo-dir", s.containerd().fifoDir().toString()),
                                    id, "/bin/echo", id));
                        } catch (RuntimeException e) {
                            lost.add(id + ": " + e);
                            continue;
                        }
                        if (!r.ok() || !r.stdout().equals(expected)) {
                            lost.add(id + ": exit " + r.exitCode() + ", stdout " + quote(r.stdout()) + ", stderr "
                                    + quote(r.stderr()));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        return new Round(List.copyOf(lost), (System.nanoTime() - t0) / 1e9);
    }

    private static boolean withinBounds(DaemonGauge before, DaemonGauge after) {
        return Math.abs(after.fds() - before.fds()) <= FD_BOUND
                && Math.abs(after.threads() - before.threads()) <= THREAD_BOUND
                && after.rssKb() - before.rssKb() <= RSS_BOUND_KB;
    }

    private static long namespaceDaemon(ShimScenario s) {
        Path socket = JruncGrouping.sharedSocket(containerd.grpcSocket(), s.namespace());
        List<Long> pids = UnixSockets.listeners(socket);
        assertEquals(1, pids.size(), "one daemon listens on " + socket + ": " + pids);
        assertTrue(Procs.running(pids.getFirst()));
        return pids.getFirst();
    }

    private static List<String> fifosLeft() throws IOException {
        Path dir = containerd.fifoDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> !p.equals(dir)).map(Path::toString).toList();
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }
}
