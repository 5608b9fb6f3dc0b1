package io.jrunc.shim.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FifoLogAppenderTest {
    private final Posix posix = Posix.get();

    private static Path mkfifo(Path dir) throws Exception {
        Path fifo = dir.resolve("log");
        Process p = new ProcessBuilder("mkfifo", "-m", "0700", fifo.toString()).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo");
        return fifo;
    }

    /** Everything readable right now (the read end is non-blocking). */
    private String drain(int fd) throws PosixException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        while (true) {
            int n;
            try {
                n = posix.read(fd, buffer, 0, buffer.length);
            } catch (PosixException e) {
                if (e.errno() == Errno.EAGAIN) {
                    break;
                }
                throw e;
            }
            if (n <= 0) {
                break;
            }
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void awaitIdle(FifoLogAppender log, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.written() + log.dropped() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void linesReachTheReaderInOrder(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        int reader = posix.open(fifo, Posix.O_RDONLY | Posix.O_NONBLOCK, 0);
        try (FifoLogAppender log = FifoLogAppender.open(posix, fifo, 64)) {
            for (int i = 0; i < 20; i++) {
                log.append("line " + i + "\n");
            }
            awaitIdle(log, 20);
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                expected.append("line ").append(i).append('\n');
            }
            assertEquals(expected.toString(), drain(reader));
            assertEquals(0, log.dropped());
        } finally {
            posix.close(reader);
        }
    }

    @Test
    void aFullFifoNeverBlocksTheLoggerAndNoLineIsTorn(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        int reader = posix.open(fifo, Posix.O_RDONLY | Posix.O_NONBLOCK, 0); // open, never read: fills at 64 KiB
        try (FifoLogAppender log = FifoLogAppender.open(posix, fifo, 256)) {
            String padding = "x".repeat(90);
            int count = 100_000;
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                log.append("line " + i + " " + padding + "\n");
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 5000, "100k appends took " + millis + " ms");
            awaitIdle(log, count);
            assertEquals(count, log.written() + log.dropped());
            assertTrue(log.dropped() > 0, "some lines had to be dropped");
            String content = drain(reader);
            assertTrue(content.length() <= 65536, "at most one pipe buffer: " + content.length());
            for (String line : content.split("\n")) {
                assertTrue(line.matches("line \\d+ x{90}"), "torn line: " + line);
            }
            log.append("after\n"); // the reader drained the pipe: writing works again
            awaitIdle(log, count + 1);
            assertTrue(drain(reader).endsWith("after\n"));
        } finally {
            posix.close(reader);
        }
    }

    @Test
    void aVanishedReaderMeansDroppedLinesNotErrors(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        int reader = posix.open(fifo, Posix.O_RDONLY | Posix.O_NONBLOCK, 0);
        FifoLogAppender log = FifoLogAppender.open(posix, fifo, 16);
        posix.close(reader); // writes now fail with EPIPE
        for (int i = 0; i < 100; i++) {
            log.append("line\n");
        }
        awaitIdle(log, 100);
        assertEquals(100, log.dropped());
        long start = System.nanoTime();
        log.close();
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2000);
    }

    @Test
    void withoutAReaderTheFifoDoesNotOpen(@TempDir Path dir) throws Exception {
        Path fifo = mkfifo(dir);
        PosixException e = assertThrows(PosixException.class, () -> FifoLogAppender.open(posix, fifo, 16));
        assertEquals(Errno.ENXIO, e.errno());
    }

    @Test
    void longLinesAreCutToOneAtomicWriteOnACharacterBoundary() {
        byte[] cut = FifoLogAppender.encode("é".repeat(3000) + "\n");
        assertEquals(FifoLogAppender.PIPE_BUF - 1, cut.length, "2-byte chars: cut back to an even length");
        assertEquals('\n', cut[cut.length - 1]);
        assertEquals("é".repeat(2047) + "\n", new String(cut, StandardCharsets.UTF_8));
        assertEquals(6, FifoLogAppender.encode("short\n").length);
    }
}
