package io.jrunc.shim.log;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes log lines to the bundle's {@code log} fifo without ever blocking the shim. containerd
 * reads that fifo; when it is slow, gone (EPIPE) or restarting, the 64 KiB pipe fills up. So the
 * fifo is opened non-blocking, lines wait in a bounded queue for one writer thread, and whatever
 * does not fit (queue full, EAGAIN, EPIPE) is dropped and counted.
 *
 * <p>Each write is at most {@link #PIPE_BUF} bytes, which the kernel writes atomically: a line is
 * never torn, and longer lines are truncated.
 */
public final class FifoLogAppender implements LogSink, AutoCloseable {
    public static final int PIPE_BUF = 4096;

    private final Posix posix;
    private final int fd;
    private final BlockingQueue<String> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    private FifoLogAppender(Posix posix, int fd, int capacity) {
        this.posix = posix;
        this.fd = fd;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = Thread.ofPlatform().name("jrunc-log").daemon(true).unstarted(this::drain);
    }

    /**
     * Opens {@code fifo} write-only and non-blocking. Fails with ENXIO when nobody has the fifo
     * open for reading (containerd holds it open while a shim may run).
     */
    public static FifoLogAppender open(Posix posix, Path fifo, int capacity) throws PosixException {
        int fd = posix.open(fifo, Posix.O_WRONLY | Posix.O_NONBLOCK, 0);
        FifoLogAppender appender = new FifoLogAppender(posix, fd, capacity);
        appender.writer.start();
        return appender;
    }

    @Override
    public void append(String line) {
        if (closed || !queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    /** Lines lost so far (queue full, fifo full, reader gone). */
    public long dropped() {
        return dropped.get();
    }

    /** Lines written to the fifo so far. */
    public long written() {
        return written.get();
    }

    private void drain() {
        byte[] batch = new byte[PIPE_BUF];
        String carry = null;
        while (true) {
            String first;
            try {
                first = carry != null ? carry : queue.take();
            } catch (InterruptedException e) {
                return;
            }
            carry = null;
            int length = 0;
            int lines = 0;
            String next = first;
            while (next != null) {
                byte[] bytes = encode(next);
                if (length + bytes.length > PIPE_BUF) {
                    carry = next;
                    break;
                }
                System.arraycopy(bytes, 0, batch, length, bytes.length);
                length += bytes.length;
                lines++;
                next = queue.poll();
            }
            try {
                posix.write(fd, batch, 0, length);
                written.addAndGet(lines);
            } catch (PosixException e) {
                dropped.addAndGet(lines);
            }
        }
    }

    /** UTF-8, cut to one atomic pipe write on a character boundary, newline kept. */
    static byte[] encode(String line) {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= PIPE_BUF) {
            return bytes;
        }
        int cut = PIPE_BUF - 1;
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) {
            cut--;
        }
        byte[] truncated = java.util.Arrays.copyOf(bytes, cut + 1);
        truncated[cut] = '\n';
        return truncated;
    }

    /** Gives queued lines up to half a second to drain, then stops the writer and closes the fifo. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + 500_000_000L;
        while (!queue.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        writer.interrupt();
        try {
            writer.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        posix.close(fd);
    }
}
