package io.jrunc.posix;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The daemon's single owner of waitpid: it starts children and collects the exit of every child,
 * including orphans re-parented to the (subreaper) daemon, such as container init processes.
 */
public interface Reaper extends AutoCloseable {

    /**
     * Starts a child and returns its pid with a future of its exit. Spawning and registering the
     * waiter are atomic, so an instant exit is never lost.
     */
    Spawned spawn(SpawnSpec spec) throws PosixException;

    /** Sees every exit the reaper collects (also those of {@link #spawn} children), in the order reaped. */
    void subscribe(Consumer<ProcessExit> listener);

    @Override
    void close();

    /** A started child. */
    record Spawned(int pid, CompletableFuture<ProcessExit> exit) {}
}
