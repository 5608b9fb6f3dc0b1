package io.jrunc.runc.console;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;

/**
 * A process's terminal on the shim's side: the pty master runc sent, its window size, and the copies
 * between it and the client's stdio (stdin into the master, the master out to stdout; a terminal has no
 * separate stderr). {@link #shutdown()} stops the output copy and lets go of the master; the pty hangs up
 * (the process sees end of file / SIGHUP) once the stdin copy let go too.
 */
public final class PtyConsole implements AutoCloseable {
    private final Posix posix;
    private final String name;
    private final MasterFd master;
    // The wake pipe: closing its write end stops the output copy. Guarded by this.
    private int wakeRead;
    private int wakeWrite;
    private boolean outputStarted;
    private boolean inputStarted;
    private boolean shutDown;

    /**
     * Takes ownership of {@code masterFd} (closed by {@link #shutdown()} and the copies, or here on failure).
     *
     * @param name the process id, for thread names and logs
     */
    public PtyConsole(Posix posix, String name, int masterFd) throws ConsoleException {
        this.posix = posix;
        this.name = name;
        this.master = new MasterFd(posix, masterFd);
        int[] wake;
        try {
            wake = posix.pipe();
        } catch (PosixException e) {
            posix.close(masterFd);
            throw new ConsoleException("cannot create the console's wake pipe: " + e.getMessage(), e);
        }
        this.wakeRead = wake[0];
        this.wakeWrite = wake[1];
    }

    /** ResizePty: rows = height, cols = width. Does nothing once the master is closed. */
    public void resize(int width, int height) throws PosixException {
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
     * output) on a thread of its own; {@code onDone} runs when the copy ended. At most once.
     */
    public synchronized void startOutput(int target, Runnable onDone) {
        if (outputStarted || shutDown || !master.acquire()) {
            if (target >= 0) {
                posix.close(target);
            }
            onDone.run();
            return;
        }
        outputStarted = true;
        Thread.ofPlatform().daemon().name("console-out-" + name)
                .start(new OutputCopier(posix, name, master, wakeRead, target, onDone));
        wakeRead = -1; // the copier owns it now
    }

    /**
     * Starts copying {@code source} (owned from now on) into the master; at its end of file the console is
     * shut down. At most once.
     */
    public synchronized void startInput(int source) {
        if (inputStarted || shutDown || !master.acquire()) {
            posix.close(source);
            return;
        }
        inputStarted = true;
        Thread.ofPlatform().daemon().name("console-in-" + name)
                .start(new InputCopier(posix, name, source, master, this::shutdown));
    }

    /** Stops the output copy and releases the console's hold on the master. Idempotent. */
    public synchronized void shutdown() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        posix.close(wakeWrite);
        wakeWrite = -1;
        if (wakeRead >= 0) {
            posix.close(wakeRead);
            wakeRead = -1;
        }
        master.release();
    }

    @Override
    public void close() {
        shutdown();
    }
}
