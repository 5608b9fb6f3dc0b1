package io.jrunc.runc.task;

import io.jrunc.runc.process.ExecProcess;
import java.util.HashSet;
import java.util.Set;

/**
 * containerd 2.x's exit order for one container: the init's exit is published last, after the exits of every exec
 * that was running, and no exec may start once the init is gone (its pid was reaped).
 */
final class ExitOrdering {
    private final Set<ExecProcess> running = new HashSet<>();
    private boolean initReaped;
    private Runnable pendingInitExit;

    /** Counts {@code exec} as running; false (counting nothing) when the init has exited already. */
    synchronized boolean beginExecStart(ExecProcess exec) {
        if (initReaped) {
            return false;
        }
        running.add(exec);
        return true;
    }

    /** The exec failed to start or its exit was published; may publish a held init exit. Idempotent. */
    void execFinished(ExecProcess exec) {
        Runnable release = null;
        synchronized (this) {
            if (running.remove(exec) && running.isEmpty() && pendingInitExit != null) {
                release = pendingInitExit;
                pendingInitExit = null;
            }
        }
        if (release != null) {
            release.run();
        }
    }

    /** The reaper saw the init exit: from now on exec starts are refused. */
    synchronized void initReaped() {
        initReaped = true;
    }

    /** Whether the init's exit is held until running execs finish (tests wait for this state). */
    synchronized boolean holdsInitExit() {
        return pendingInitExit != null;
    }

    /** Runs {@code publishInitExit} now when no exec runs, else when the last one finished. */
    void afterRunningExecs(Runnable publishInitExit) {
        synchronized (this) {
            initReaped = true;
            if (!running.isEmpty()) {
                pendingInitExit = publishInitExit;
                return;
            }
        }
        publishInitExit.run();
    }
}
