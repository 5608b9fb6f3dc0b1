package io.jrunc.posix;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The {@link Reaper}: one platform thread blocks in waitpid(-1) and hands every exit to the
 * waiting spawner and to all subscribers. With no children it sleeps until the next spawn.
 *
 * <p>There must be at most one per process: two waitpid(-1) loops steal each other's exits.
 * Futures are completed and subscribers called on the reaper thread, subscribers first, so a
 * caller woken by its future knows every subscriber has seen the exit. Neither may block.
 */
public final class ChildReaper implements Reaper {
    private static final System.Logger LOG = System.getLogger(ChildReaper.class.getName());

    private final JnrPosix posix;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition childAdded = lock.newCondition();
    private final Map<Integer, CompletableFuture<ProcessExit>> waiters = new HashMap<>();
    private final List<Consumer<ProcessExit>> subscribers = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private final Runnable childAddedElsewhere = this::childAddedElsewhere;
    private long spawns;
    private boolean closed;

    private ChildReaper(JnrPosix posix) {
        this.posix = posix;
        this.thread = Thread.ofPlatform().name("jrunc-reaper").daemon(true).unstarted(this::loop);
    }

    /** Starts the reaper thread of this process. */
    public static ChildReaper start(JnrPosix posix) {
        ChildReaper reaper = new ChildReaper(posix);
        posix.addSpawnListener(reaper.childAddedElsewhere);
        reaper.thread.start();
        return reaper;
    }

    public static ChildReaper start() {
        return start(JnrPosix.instance());
    }

    @Override
    public Spawned spawn(SpawnSpec spec) throws PosixException {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("reaper is closed");
            }
            // Under the lock: the reaper thread cannot look up this pid before it is registered.
            int pid = posix.spawnProcess(spec);
            CompletableFuture<ProcessExit> exit = new CompletableFuture<>();
            waiters.put(pid, exit);
            spawns++;
            childAdded.signalAll();
            return new Spawned(pid, exit);
        } finally {
            lock.unlock();
        }
    }

    /** A detached child (or anything else) appeared: a loop sleeping on ECHILD must wait for it too. */
    private void childAddedElsewhere() {
        lock.lock();
        try {
            spawns++;
            childAdded.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void subscribe(Consumer<ProcessExit> listener) {
        subscribers.add(listener);
    }

    private void loop() {
        int[] status = new int[1];
        while (true) {
            long seen;
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                seen = spawns;
            } finally {
                lock.unlock();
            }
            int pid = posix.waitAnyChild(status);
            if (pid > 0) {
                dispatch(ProcessExit.fromWaitStatus(pid, status[0], Instant.now()));
            } else if (pid == -Errno.ECHILD) {
                awaitChild(seen);
            } else {
                LOG.log(Level.ERROR, "waitpid failed: {0}", Errno.describe(-pid));
                awaitChild(seen);
            }
        }
    }

    /** Whether the loop sleeps until the next spawn, having no child to wait for (tests wait for this state). */
    boolean sleepingUntilSpawn() {
        lock.lock();
        try {
            return lock.hasWaiters(childAdded);
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps until a spawn after generation {@code seen}, or close. */
    private void awaitChild(long seen) {
        lock.lock();
        try {
            while (!closed && spawns == seen) {
                childAdded.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    private void dispatch(ProcessExit exit) {
        CompletableFuture<ProcessExit> waiter;
        lock.lock();
        try {
            waiter = waiters.remove(exit.pid());
        } finally {
            lock.unlock();
        }
        for (Consumer<ProcessExit> subscriber : subscribers) {
            try {
                subscriber.accept(exit);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw (VirtualMachineError) e;
                }
                LOG.log(Level.ERROR, "exit subscriber failed for pid " + exit.pid(), e);
            }
        }
        if (waiter != null) {
            waiter.complete(exit);
        }
    }

    /**
     * Stops the loop. Children still running are no longer reaped; their futures are cancelled.
     * A thread blocked in waitpid is woken by reaping a short-lived helper child.
     */
    @Override
    public void close() {
        List<CompletableFuture<ProcessExit>> pending;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            childAdded.signalAll();
            pending = new ArrayList<>(waiters.values());
            waiters.clear();
        } finally {
            lock.unlock();
        }
        posix.removeSpawnListener(childAddedElsewhere);
        pending.forEach(f -> f.completeExceptionally(new CancellationException("reaper closed")));
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(20);
            if (thread.isAlive()) {
                posix.spawnProcess(new SpawnSpec(List.of("true"), Map.of("PATH", "/usr/bin:/bin"),
                        java.util.Optional.empty(), Map.of(), false));
                thread.join(1000);
            }
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "cannot wake the reaper thread: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
