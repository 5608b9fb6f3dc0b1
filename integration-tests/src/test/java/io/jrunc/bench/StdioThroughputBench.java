package io.jrunc.bench;

import io.jrunc.it.harness.ShimUnderTest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Output throughput: a container {@code cat}s a pseudo-random payload to its stdout (or stderr);
 * the shim copies it into ctr's fifo, ctr to its own stdout (stderr), which we read. MB/s from the
 * first byte to the end; every run checks the byte count and CRC32C. ctr is in the path for both
 * shims alike.
 */
final class StdioThroughputBench implements Workload {
    /** Generous: a shim copying at 5 MB/s still finishes; a stuck one is ended. */
    private static final double SLOWEST_MB_PER_S = 5;

    @Override
    public String title() {
        return "stdout/stderr throughput";
    }

    @Override
    public void run(BenchSession session, ResultTable table) throws Exception {
        BenchPlan plan = session.plan();
        long t0 = System.nanoTime();
        Payload payload = Payload.create(session.rootfs().path(), plan.stdioBytes());
        System.out.printf(Locale.ROOT, "  payload %d MiB written in %.1f s, CRC32C %08x%n",
                payload.size() >> 20, (System.nanoTime() - t0) / 1e9, payload.crc32c());
        try {
            for (boolean stderr : List.of(false, true)) {
                String stream = stderr ? "stderr" : "stdout";
                ShimTrial go = new ShimTrial(ShimUnderTest.GO, 1);
                ShimTrial java = new ShimTrial(ShimUnderTest.JAVA, 1);
                for (int i = 0; i < plan.stdioRuns(); i++) {
                    for (ShimTrial t : ShimTrial.inTurn(i, go, java)) {
                        if (!t.stopped()) {
                            once(session.containers(), t, payload, stderr, "io-" + stream + "-" + LifecycleBench.tag(t) + "-" + i);
                        }
                    }
                }
                table.add(stream + " throughput, " + (payload.size() >> 20) + " MiB through shim and ctr fifo,"
                        + " MB/s, median (min)", 0.0, go, java);
            }
        } finally {
            payload.delete();
        }
    }

    private static void once(BenchContainers containers, ShimTrial trial, Payload payload, boolean stderr, String id) {
        String[] command = stderr
                ? new String[] {"/bin/sh", "-c", "exec /bin/cat " + payload.containerPath() + " >&2"}
                : new String[] {"/bin/cat", payload.containerPath()};
        Duration timeout = Duration.ofSeconds(60 + (long) (payload.size() / 1e6 / SLOWEST_MB_PER_S));
        try {
            StreamTransfer.Result r = StreamTransfer.run(containers.ctr(),
                    containers.foregroundRunArgs(trial.shim(), id, command), stderr, timeout);
            boolean complete = r.exitCode() == 0 && r.bytes() == payload.size() && r.crc32c() == payload.crc32c();
            if (complete) {
                trial.add(r.megabytesPerSecond());
                System.out.printf(Locale.ROOT, "  %s %s: %.0f MB/s, %d bytes, CRC32C ok%n", trial.shim(),
                        stderr ? "stderr" : "stdout", r.megabytesPerSecond(), r.bytes());
                return;
            }
            trial.fail(String.format(Locale.ROOT, "%s: ctr exit %s, received %d of %d bytes (%.0f MB/s), CRC32C %08x "
                            + "(expected %08x)%s; other stream: %s", id,
                    r.exitCode() == -1 ? "(killed after " + timeout.toSeconds() + " s)" : Integer.toString(r.exitCode()),
                    r.bytes(), payload.size(), r.megabytesPerSecond(), r.crc32c(), payload.crc32c(),
                    r.bytes() < 4096 ? "; received: " + r.head().strip() : "", r.other().strip()));
        } catch (Exception e) {
            trial.fail(id + ": " + e);
        }
        LifecycleBench.removeQuietly(containers, id);
    }
}
