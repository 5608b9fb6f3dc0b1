package io.jrunc.bench;

import io.jrunc.it.harness.Ctr;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Runs a foreground {@code ctr run} whose container writes a lot to one stream, and reads that
 * stream of ctr as it arrives: byte count, CRC32C, and the time from the first byte to the end.
 * The other stream is kept (its first 64 KiB) for the report. ctr is ended (by its own pid) if it
 * outlives the timeout.
 */
final class StreamTransfer {
    private static final int OTHER_STREAM_KEEP = 64 * 1024;
    /** Enough of the measured stream to show an error message ctr printed there instead of data. */
    private static final int MEASURED_STREAM_KEEP = 2 * 1024;

    private StreamTransfer() {
    }

    /**
     * @param bytes bytes read from the measured stream
     * @param seconds from the first byte read to end of stream (0 when nothing arrived)
     * @param exitCode ctr's exit code, or -1 when it was killed after the timeout
     * @param head the measured stream's beginning, for error messages when little arrived
     * @param other the other stream's beginning, for error messages
     */
    record Result(long bytes, long crc32c, double seconds, int exitCode, String head, String other) {
        double megabytesPerSecond() {
            return seconds > 0 ? bytes / 1e6 / seconds : 0;
        }
    }

    static Result run(Ctr ctr, List<String> ctrArgs, boolean measureStderr, Duration timeout) throws IOException {
        List<String> command = new ArrayList<>(List.of(ctr.binary(), "--address", ctr.address().toString(), "-n", ctr.namespace()));
        command.addAll(ctrArgs);
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        Reader measured = new Reader(measureStderr ? process.getErrorStream() : process.getInputStream(), MEASURED_STREAM_KEEP);
        Reader other = new Reader(measureStderr ? process.getInputStream() : process.getErrorStream(), OTHER_STREAM_KEEP);
        Thread measuring = Thread.ofPlatform().name("bench-measured-stream").start(measured);
        Thread draining = Thread.ofVirtual().name("bench-other-stream").start(other);
        int exit;
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                exit = process.exitValue();
            } else {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                exit = -1;
            }
            measuring.join(Duration.ofSeconds(30));
            draining.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + command, e);
        }
        double seconds = measured.firstByteNanos == 0 ? 0 : (measured.endNanos - measured.firstByteNanos) / 1e9;
        return new Result(measured.count, measured.crc.getValue(), seconds, exit, measured.kept(), other.kept());
    }

    /** Reads a stream to its end, counting and checksumming every byte and keeping the first few. */
    private static final class Reader implements Runnable {
        private final InputStream in;
        private final int keepLimit;
        private final CRC32C crc = new CRC32C();
        private final ByteArrayOutputStream keep = new ByteArrayOutputStream();
        private volatile long count;
        private volatile long firstByteNanos;
        private volatile long endNanos;
        private volatile String failure = "";

        Reader(InputStream in, int keepLimit) {
            this.in = in;
            this.keepLimit = keepLimit;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[1 << 20];
            long n = 0;
            try (in) {
                int r;
                while ((r = in.read(buffer)) > 0) {
                    if (n == 0) {
                        firstByteNanos = System.nanoTime();
                    }
                    n += r;
                    crc.update(buffer, 0, r);
                    if (keep.size() < keepLimit) {
                        keep.write(buffer, 0, Math.min(r, keepLimit - keep.size()));
                    }
                }
            } catch (IOException e) {
                failure = " (read failed: " + e + ")";
            } finally {
                endNanos = System.nanoTime();
                count = n;
            }
        }

        String kept() {
            return keep.toString(java.nio.charset.StandardCharsets.UTF_8) + failure
                    + (count > keepLimit ? " ... (" + count + " bytes in all)" : "");
        }
    }
}
