package io.jrunc.runc.io;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.runc.io.StdioLoop.Interest;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Arrays;

/**
 * Copies one stream from a source fd to a target fd until end of file, on the {@link StdioLoop} (every
 * method but the factories runs on the loop thread). Both fds are made non-blocking; the copy waits for
 * either the source to be readable or, when the target is full, for the target to be writable, never both:
 * a full target leaves the source unread, so the writer on the other side is held back and nothing piles up
 * here (at most one refused read of {@link StdioLoop#BUFFER_SIZE} bytes is kept).
 *
 * <p>Pipe to FIFO (or FIFO to pipe) moves with splice(2), so the bytes never enter the JVM; where the kernel
 * refuses to splice (EINVAL, e.g. an O_APPEND file; ENOSYS) it falls back to read/write. A refused splice
 * moves nothing, so switching loses no byte. End of file is a read of 0 or EIO (a pty master whose slave
 * everyone closed). At the end the copy stops watching, releases both ends and runs {@code onDone}, once.
 */
final class StreamCopy {
    private static final Logger LOG = System.getLogger(StreamCopy.class.getName());
    /** Upper bound per splice; the kernel moves at most what the pipes hold (64 KiB by default). */
    static final long SPLICE_CHUNK = 1 << 20;
    /** Bytes one copy moves per readiness event before the other ready streams get their turn. */
    static final long FAIR_SHARE = 256 * 1024;

    private enum Mode {
        SPLICE,
        READ_WRITE,
        /** The target failed (or there is none): read and drop, so the writer never blocks on a full pipe. */
        DROP,
        DONE
    }

    private enum Waiting {
        NOTHING,
        SOURCE,
        TARGET
    }

    private final StdioLoop loop;
    private final Posix posix;
    private final String name;
    private final SharedFd source;
    private final SharedFd target;
    private final boolean dropAfterWriteError;
    private final Runnable onDone;
    private final Runnable pump = this::pump;
    private Mode mode;
    private Waiting waiting = Waiting.NOTHING;
    /** The part of a read the target did not take yet; null when everything read was written. */
    private byte[] pending;
    private volatile boolean spliced;

    private StreamCopy(StdioLoop loop, Posix posix, String name, SharedFd source, SharedFd target, boolean splice,
            boolean dropAfterWriteError, Runnable onDone) {
        this.loop = loop;
        this.posix = posix;
        this.name = name;
        this.source = source;
        this.target = target;
        this.dropAfterWriteError = dropAfterWriteError;
        this.onDone = onDone;
        this.mode = target == null ? Mode.DROP : splice ? Mode.SPLICE : Mode.READ_WRITE;
    }

    /**
     * A copy that splices where the kernel lets it (pipes and FIFOs).
     *
     * @param source released at the end, like {@code target}; each must be held once for this copy
     * @param dropAfterWriteError keep reading (and dropping) after the target failed, so the writer on the
     *     other side never blocks on a full pipe; otherwise stop at the first failed write
     */
    static StreamCopy splicing(StdioLoop loop, Posix posix, String name, SharedFd source, SharedFd target,
            boolean dropAfterWriteError, Runnable onDone) {
        return new StreamCopy(loop, posix, name, source, target, true, dropAfterWriteError, onDone);
    }

    /**
     * A copy through read/write, for a pty master on either side.
     *
     * @param target null to read and drop everything
     */
    static StreamCopy readWrite(StdioLoop loop, Posix posix, String name, SharedFd source, SharedFd target,
            boolean dropAfterWriteError, Runnable onDone) {
        return new StreamCopy(loop, posix, name, source, target, false, dropAfterWriteError, onDone);
    }

    /** Hands the copy to the loop, which owns it (and its ends) from now on. */
    void start() {
        loop.execute(this::begin);
    }

    /** Ends the copy early (a console shut down); what was not read yet stays unread. */
    void stop() {
        loop.execute(() -> {
            if (mode != Mode.DONE) {
                finish();
            }
        });
    }

    /** Whether any bytes went through splice (for tests and diagnostics). */
    boolean spliced() {
        return spliced;
    }

    private void begin() {
        if (mode == Mode.DONE) {
            return;
        }
        try {
            posix.setNonBlocking(source.fd());
            if (target != null) {
                posix.setNonBlocking(target.fd());
            }
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "copying " + name + " failed: " + e.getMessage());
            finish();
            return;
        }
        pump();
    }

    /** Moves what is ready, at most {@link #FAIR_SHARE}, then waits for the side that holds it up. */
    private void pump() {
        try {
            long budget = FAIR_SHARE;
            while (mode != Mode.DONE) {
                if (pending != null && !write(pending, 0, pending.length)) {
                    return;
                }
                if (budget <= 0) {
                    await(Waiting.SOURCE); // still readable: level-triggered epoll calls again next turn
                    return;
                }
                long moved = mode == Mode.SPLICE ? splice() : readAndWrite();
                if (moved < 0) {
                    return;
                }
                budget -= moved;
            }
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "copying " + name + " failed: " + e.getMessage());
            finish();
        }
    }

    /**
     * One splice. Returns the bytes moved to go on, or -1 when the copy now waits or ended. A short splice
     * most likely emptied the source: the copy waits for it rather than paying for an EAGAIN.
     */
    private long splice() throws PosixException {
        long n;
        try {
            n = posix.splice(source.fd(), target.fd(), SPLICE_CHUNK, Posix.SPLICE_F_MOVE | Posix.SPLICE_F_NONBLOCK);
        } catch (PosixException e) {
            switch (e.errno()) {
                case Errno.EINVAL, Errno.ENOSYS -> {
                    mode = Mode.READ_WRITE;
                    return 0;
                }
                case Errno.EAGAIN -> {
                    // splice does not say which side was not ready; the target is asked directly.
                    await(targetHasRoom() ? Waiting.SOURCE : Waiting.TARGET);
                    return -1;
                }
                default -> {
                    // Nor which side failed; a broken source fails the drop's read as well.
                    writeFailed(e);
                    return 0;
                }
            }
        }
        if (n == 0) {
            finish();
            return -1;
        }
        spliced = true;
        if (n < SPLICE_CHUNK) {
            await(Waiting.SOURCE);
            return -1;
        }
        return n;
    }

    /** One read, written on (or dropped). Returns the bytes read to go on, -1 when the copy now waits or ended. */
    private long readAndWrite() throws PosixException {
        byte[] buffer = loop.buffer();
        int n;
        try {
            n = posix.read(source.fd(), buffer, 0, buffer.length);
        } catch (PosixException e) {
            if (e.errno() == Errno.EAGAIN) {
                await(Waiting.SOURCE);
                return -1;
            }
            if (e.errno() != Errno.EIO) {
                throw e;
            }
            n = 0; // every holder of a pty's slave closed it: end of file
        }
        if (n == 0) {
            finish();
            return -1;
        }
        if (mode == Mode.READ_WRITE && !write(buffer, 0, n)) {
            return -1;
        }
        if (n < buffer.length) {
            await(Waiting.SOURCE);
            return -1;
        }
        return n;
    }

    /**
     * Writes all it can; what the target refuses (EAGAIN) is kept and the copy waits for room. Returns true
     * to go on (everything written, or dropped after a failure), false when the copy now waits or ended.
     */
    private boolean write(byte[] bytes, int offset, int length) throws PosixException {
        pending = null;
        while (length > 0) {
            int n;
            try {
                n = posix.writeSome(target.fd(), bytes, offset, length);
            } catch (PosixException e) {
                if (e.errno() == Errno.EAGAIN) {
                    pending = Arrays.copyOfRange(bytes, offset, offset + length);
                    await(Waiting.TARGET);
                    return false;
                }
                writeFailed(e);
                return mode != Mode.DONE;
            }
            offset += n;
            length -= n;
        }
        return true;
    }

    private void writeFailed(PosixException e) {
        // EPIPE: the reader went away (an exec that never read its stdin exited, a client stopped reading);
        // an ordinary end, not worth a warning in containerd's log on every exec (the Go shim is silent too).
        LOG.log(e.errno() == Errno.EPIPE ? Level.DEBUG : Level.WARNING, "copying " + name + " stopped: " + e.getMessage());
        if (dropAfterWriteError) {
            mode = Mode.DROP;
            pending = null;
        } else {
            finish();
        }
    }

    private boolean targetHasRoom() throws PosixException {
        short[] revents = new short[1];
        posix.poll(new int[] {target.fd()}, new short[] {Posix.POLLOUT}, revents, 0);
        return (revents[0] & Posix.POLLOUT) != 0;
    }

    /** Watches the side the copy waits for, and only that one. */
    private void await(Waiting side) throws PosixException {
        if (waiting == side) {
            return;
        }
        stopWaiting();
        if (side == Waiting.SOURCE) {
            loop.watch(source.fd(), Interest.READ, pump);
        } else {
            loop.watch(target.fd(), Interest.WRITE, pump);
        }
        waiting = side;
    }

    private void stopWaiting() {
        switch (waiting) {
            case SOURCE -> loop.unwatch(source.fd(), Interest.READ);
            case TARGET -> loop.unwatch(target.fd(), Interest.WRITE);
            case NOTHING -> {}
        }
        waiting = Waiting.NOTHING;
    }

    /** Stops watching before the fds may close, releases both ends, reports the end. */
    private void finish() {
        mode = Mode.DONE;
        pending = null;
        stopWaiting();
        source.release();
        if (target != null) {
            target.release();
        }
        try {
            onDone.run();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "the end of " + name + " could not be reported", e);
        }
    }
}
