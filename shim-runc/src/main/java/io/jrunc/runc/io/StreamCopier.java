package io.jrunc.runc.io;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Copies one stream until end of file on a platform thread of its own (blocking calls through jnr would pin a
 * virtual thread's carrier). Pipe to FIFO (or FIFO to pipe) moves with splice(2), so the bytes never enter the
 * JVM; where the kernel refuses to splice (EINVAL, e.g. an O_APPEND file; ENOSYS) it falls back to read/write.
 * A refused splice moves nothing, so switching loses no byte. Blocking fds give back-pressure both ways: a
 * full target blocks the copier, which leaves the source pipe full, which blocks the writer.
 * Owns its source fd; closes it and releases the target at the end.
 */
final class StreamCopier implements Runnable {
    private static final Logger LOG = System.getLogger(StreamCopier.class.getName());
    static final int BUFFER_SIZE = 64 * 1024;
    /** Upper bound per splice; the kernel moves at most what the pipes hold (64 KiB by default). */
    static final long SPLICE_CHUNK = 1 << 20;
    private static final int POLL_MILLIS = 1000;

    private final Posix posix;
    private final String name;
    private final int source;
    private final SharedFd target;
    private final boolean drainAfterWriteError;
    private final Runnable onDone;
    private volatile boolean spliced;

    /**
     * @param drainAfterWriteError keep reading (and dropping) after the target failed, so the writer on the
     *     other side never blocks on a full pipe; otherwise stop at the first failed write
     */
    StreamCopier(Posix posix, String name, int source, SharedFd target, boolean drainAfterWriteError, Runnable onDone) {
        this.posix = posix;
        this.name = name;
        this.source = source;
        this.target = target;
        this.drainAfterWriteError = drainAfterWriteError;
        this.onDone = onDone;
    }

    Thread start() {
        return Thread.ofPlatform().daemon().name("io-" + name).start(this);
    }

    /** Whether any bytes went through splice (for tests and diagnostics). */
    boolean spliced() {
        return spliced;
    }

    @Override
    public void run() {
        try {
            if (!spliceAll()) {
                copyAll();
            }
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "reading " + name + " failed: " + e.getMessage());
        } finally {
            posix.close(source);
            target.release();
            onDone.run();
        }
    }

    /**
     * Splices until end of file. Returns false when splicing is not possible here (nothing was moved by the
     * refused call; the caller copies the rest), true when the stream is done.
     */
    private boolean spliceAll() throws PosixException {
        while (true) {
            long n;
            try {
                n = posix.splice(source, target.fd(), SPLICE_CHUNK, Posix.SPLICE_F_MOVE);
            } catch (PosixException e) {
                switch (e.errno()) {
                    case Errno.EINVAL, Errno.ENOSYS -> {
                        return false;
                    }
                    case Errno.EAGAIN -> {
                        awaitReady();
                        continue;
                    }
                    default -> {
                        // splice does not say which side failed; a broken source fails the drain's read as well.
                        LOG.log(Level.WARNING, "copying " + name + " stopped: " + e.getMessage());
                        if (drainAfterWriteError) {
                            drain(new byte[BUFFER_SIZE]);
                        }
                        return true;
                    }
                }
            }
            if (n == 0) {
                return true;
            }
            spliced = true;
        }
    }

    /** A non-blocking fd made splice fail with EAGAIN: wait until the source has data and the target room. */
    private void awaitReady() throws PosixException {
        short[] revents = new short[1];
        posix.poll(new int[] {source}, new short[] {Posix.POLLIN}, revents, POLL_MILLIS);
        posix.poll(new int[] {target.fd()}, new short[] {Posix.POLLOUT}, revents, POLL_MILLIS);
    }

    private void copyAll() throws PosixException {
        byte[] buffer = new byte[BUFFER_SIZE];
        while (true) {
            int n = posix.read(source, buffer, 0, buffer.length);
            if (n <= 0) {
                return;
            }
            try {
                posix.write(target.fd(), buffer, 0, n);
            } catch (PosixException e) {
                LOG.log(Level.WARNING, "copying " + name + " stopped: " + e.getMessage());
                if (drainAfterWriteError) {
                    drain(buffer);
                }
                return;
            }
        }
    }

    /** Reads and drops the rest, so the writer on the other side never blocks on a full pipe. */
    private void drain(byte[] buffer) throws PosixException {
        while (posix.read(source, buffer, 0, buffer.length) > 0) {
            // dropped
        }
    }
}
