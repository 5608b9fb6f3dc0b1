package io.jrunc.runc.io;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Copies one stream until end of file on a platform thread of its own (blocking reads through
 * jnr would pin a virtual thread's carrier). Owns its source fd; closes it and releases the target at the end.
 */
final class StreamCopier implements Runnable {
    private static final Logger LOG = System.getLogger(StreamCopier.class.getName());
    static final int BUFFER_SIZE = 64 * 1024;
    private static final int EINTR = 4;

    private final Posix posix;
    private final String name;
    private final int source;
    private final SharedFd target;
    private final boolean drainAfterWriteError;
    private final Runnable onDone;

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

    @Override
    public void run() {
        byte[] buffer = new byte[BUFFER_SIZE];
        boolean writing = true;
        try {
            while (true) {
                int n = read(buffer);
                if (n <= 0) {
                    break;
                }
                if (!writing) {
                    continue;
                }
                try {
                    posix.write(target.fd(), buffer, 0, n);
                } catch (PosixException e) {
                    LOG.log(Level.WARNING, "copying " + name + " stopped: " + e.getMessage());
                    if (!drainAfterWriteError) {
                        break;
                    }
                    writing = false;
                }
            }
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "reading " + name + " failed: " + e.getMessage());
        } finally {
            posix.close(source);
            target.release();
            onDone.run();
        }
    }

    private int read(byte[] buffer) throws PosixException {
        while (true) {
            try {
                return posix.read(source, buffer, 0, buffer.length);
            } catch (PosixException e) {
                if (e.errno() != EINTR) {
                    throw e;
                }
            }
        }
    }
}
