package io.jrunc.runc.io;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.Reaper;
import io.jrunc.runc.logging.BinaryLogger;
import io.jrunc.runc.logging.LoggerCommand;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code binary://} stdio: the process writes its stdout and stderr into two pipes whose read ends belong to a
 * logging binary; the shim copies nothing. As in the Go shim, stdin is not wired, and the shim keeps the write
 * ends until the process is deleted, so the logger sees end of file only then, right before its SIGTERM.
 */
public final class BinaryIo implements ProcessIo {
    private final Posix posix;
    private final BinaryLogger logger;
    private final Duration terminateGrace;
    // Guarded by this; -1 once closed.
    private int stdoutWrite;
    private int stderrWrite;

    private BinaryIo(Posix posix, BinaryLogger logger, int stdoutWrite, int stderrWrite, Duration terminateGrace) {
        this.posix = posix;
        this.logger = logger;
        this.stdoutWrite = stdoutWrite;
        this.stderrWrite = stderrWrite;
        this.terminateGrace = terminateGrace;
    }

    /**
     * Makes the pipes and starts the logger; returns once it is ready (the process must not write before).
     *
     * @param processId CONTAINER_ID for the logger (the exec id for an exec, as in the Go shim)
     */
    public static BinaryIo start(Posix posix, Reaper reaper, LoggerCommand command, String processId, String namespace)
            throws IoException {
        return start(posix, reaper, command, processId, namespace, BinaryLogger.READY_TIMEOUT,
                BinaryLogger.TERMINATE_GRACE);
    }

    static BinaryIo start(Posix posix, Reaper reaper, LoggerCommand command, String processId, String namespace,
            Duration readyTimeout, Duration terminateGrace) throws IoException {
        int[] out = pipe(posix, "stdout");
        int[] err;
        try {
            err = pipe(posix, "stderr");
        } catch (IoException e) {
            posix.close(out[0]);
            posix.close(out[1]);
            throw e;
        }
        BinaryLogger logger;
        try {
            logger = BinaryLogger.start(posix, reaper, command, processId, namespace, out[0], err[0], readyTimeout);
        } catch (IoException e) {
            posix.close(out[1]);
            posix.close(err[1]);
            throw e;
        } finally {
            // The logger has its own copies of the read ends.
            posix.close(out[0]);
            posix.close(err[0]);
        }
        return new BinaryIo(posix, logger, out[1], err[1], terminateGrace);
    }

    private static int[] pipe(Posix posix, String stream) throws IoException {
        try {
            return posix.pipe();
        } catch (PosixException e) {
            throw new IoException("failed to create " + stream + " pipes: " + e.getMessage(), e);
        }
    }

    public BinaryLogger logger() {
        return logger;
    }

    @Override
    public synchronized Map<Integer, Integer> childFds() {
        Map<Integer, Integer> fds = new HashMap<>();
        if (stdoutWrite >= 0) {
            fds.put(1, stdoutWrite);
        }
        if (stderrWrite >= 0) {
            fds.put(2, stderrWrite);
        }
        return fds;
    }

    @Override
    public void afterSpawn() {}

    @Override
    public void start() {}

    /** Nothing is copied by the shim, so nothing is left to drain. */
    @Override
    public boolean awaitOutputDrained(Duration timeout) {
        return true;
    }

    @Override
    public void closeStdin() {}

    /** Closes the pipes (the logger reads to their end), then SIGTERM, up to 12 s, SIGKILL. */
    @Override
    public void close() {
        synchronized (this) {
            if (stdoutWrite >= 0) {
                posix.close(stdoutWrite);
                stdoutWrite = -1;
            }
            if (stderrWrite >= 0) {
                posix.close(stderrWrite);
                stderrWrite = -1;
            }
        }
        logger.terminate(terminateGrace);
    }
}
