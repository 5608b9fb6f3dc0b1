package io.jrunc.shim;

import io.jrunc.shim.errors.ShimException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * When the daemon exits. The Task service asks for it on Shutdown once it serves no container. A
 * daemon without linger (per container, per pod: like the Go shim) exits at once. A daemon with
 * linger (shared by a namespace) stays idle that long so that the next container reuses it; then it
 * marks its state file "retiring" (the launcher script stops joining it), waits a short grace for a
 * Create from a {@code start} that joined just before, and exits. A Create at any point cancels it.
 * An exit request while a Create runs is ignored: that container is about to exist.
 */
final class DaemonExit implements ShimContext.DaemonLifecycle {
    private static final System.Logger LOG = System.getLogger(DaemonExit.class.getName());
    /** Longer than a {@code start} takes from reading the state file to containerd's Create (a few ms, a JVM ~0.5 s). */
    static final Duration RETIRE_GRACE = Duration.ofSeconds(2);

    /** What others see of the daemon: its state file. */
    interface Presence {
        /** Serving: new containers may join (rewritten when missing or stale, so it heals). */
        void serving();

        /** About to exit: joiners should start a new daemon. */
        void retiring();
    }

    private final CompletableFuture<String> exit;
    private final Duration linger;
    private final Duration grace;
    private final Presence presence;
    private int creating;
    /** Bumped by every Create: timers armed before it find it changed and do nothing. */
    private long generation;
    private boolean idleTimerArmed;
    private boolean exiting;

    DaemonExit(CompletableFuture<String> exit, Duration linger, Duration grace, Presence presence) {
        this.exit = exit;
        this.linger = linger;
        this.grace = grace;
        this.presence = presence;
    }

    @Override
    public void requestExit() {
        synchronized (this) {
            if (exiting) {
                return;
            }
            if (creating > 0) {
                LOG.log(Level.DEBUG, "exit request ignored: a Create is running");
                return;
            }
            if (!linger.isZero()) {
                if (!idleTimerArmed) {
                    idleTimerArmed = true;
                    long armed = generation;
                    LOG.log(Level.INFO, "no container left: exiting in " + linger + " unless one is created");
                    after(linger, () -> lingerOver(armed));
                }
                return;
            }
            exiting = true;
        }
        presence.retiring(); // from now on starts of the group spawn a new daemon rather than join this one
        exit.complete("shutdown requested");
    }

    @Override
    public long pid() {
        return ProcessHandle.current().pid();
    }

    /** Called as a Create begins; fails with UNAVAILABLE once the exit is decided. */
    void beginCreate() {
        synchronized (this) {
            if (exiting) {
                throw ShimException.unavailable("the shim daemon is exiting; start the task again");
            }
            creating++;
            generation++;
            idleTimerArmed = false;
        }
        presence.serving();
    }

    void endCreate() {
        synchronized (this) {
            creating--;
        }
    }

    private void lingerOver(long armed) {
        synchronized (this) {
            if (armed != generation || exiting || creating > 0) {
                return;
            }
        }
        presence.retiring();
        LOG.log(Level.INFO, "idle for " + linger + ": retiring");
        after(grace, () -> graceOver(armed));
    }

    private void graceOver(long armed) {
        synchronized (this) {
            if (armed != generation || exiting || creating > 0) {
                return;
            }
            exiting = true;
        }
        exit.complete("idle for " + linger);
    }

    private static void after(Duration delay, Runnable action) {
        CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS).execute(action);
    }
}
