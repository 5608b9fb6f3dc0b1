package io.jrunc.runc.io;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;

/**
 * A process's terminal on the shim's side: the pty master runc sent, its window size, and the copies
 * between it and the client's stdio on the {@link StdioLoop} (stdin into the master, the master out to
 * stdout; a terminal has no separate stderr). {@link #shutdown()} stops the output copy and lets go of the
 * master; the pty hangs up (the process sees end of file / SIGHUP) once the stdin copy let go too.
 */
final class PtyConsole implements AutoCloseable {
    private final StdioLoop loop;
    private final Posix posix;
    private final String name;
    /** Held by the console until shutdown, and by each running copy. */
    private final SharedFd master;
    // Guarded by this.
    private StreamCopy output;
    private boolean outputStarted;
    private boolean inputStarted;
    private boolean shutDown;

    /**
     * Takes ownership of {@code masterFd} (closed once the console and its copies let go).
     *
     * @param name the process id, for logs
     */
    PtyConsole(StdioLoop loop, Posix posix, String name, int masterFd) {
        this.loop = loop;
        this.posix = posix;
        this.name = name;
        this.master = SharedFd.owned(posix, masterFd);
    }

    /** ResizePty: rows = height, cols = width. Does nothing once the master is closed. */
    void resize(int width, int height) throws PosixException {
        if (!master.acquire()) {
            return;
        }
        try {
            posix.setWindowSize(master.fd(), height, width);
        } finally {
            master.release();
        }
    }

    /**
     * Starts copying the master to {@code target} (owned from now on, closed at the end; -1 drops the
     * output, so the process never blocks on a full pty); {@code onDone} runs when the copy ended: the
     * slave side was closed by everyone (EIO) or the console shut down. At most once.
     */
    synchronized void startOutput(int target, Runnable onDone) {
        if (outputStarted || shutDown || !master.acquire()) {
            if (target >= 0) {
                posix.close(target);
            }
            onDone.run();
            return;
        }
        outputStarted = true;
        // After a failed write the copy keeps draining: a process writing to a full pty would block forever.
        output = StreamCopy.readWrite(loop, posix, name + " console output", master,
                target >= 0 ? SharedFd.owned(posix, target) : null, true, onDone);
        output.start();
    }

    /**
     * Starts copying {@code source} (owned from now on) into the master; at its end of file the console is
     * shut down. After a failed write (the process is gone) it keeps reading and dropping, so the client
     * never blocks on a full FIFO. At most once.
     */
    synchronized void startInput(int source) {
        if (inputStarted || shutDown || !master.acquire()) {
            posix.close(source);
            return;
        }
        inputStarted = true;
        StreamCopy.readWrite(loop, posix, name + " console input", SharedFd.owned(posix, source), master, true,
                this::shutdown).start();
    }

    /** Stops the output copy and releases the console's hold on the master. Idempotent. */
    synchronized void shutdown() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        if (output != null) {
            output.stop();
        }
        master.release();
    }

    @Override
    public void close() {
        shutdown();
    }
}
