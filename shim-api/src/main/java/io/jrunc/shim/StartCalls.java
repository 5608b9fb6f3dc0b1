package io.jrunc.shim;

import io.jrunc.posix.PosixException;
import io.jrunc.posix.SpawnSpec;
import io.jrunc.posix.Spawner;
import java.nio.file.Path;

/**
 * The kernel calls of {@code start} when it starts a daemon. In the shim they are {@link Spawner}'s,
 * which binds only these calls (not the daemon's whole jnr-posix); tests substitute their own.
 */
interface StartCalls {
    /** A close-on-exec listening Unix socket at {@code path}; errno EADDRINUSE when the path exists. */
    int listenUnix(Path path, int backlog) throws PosixException;

    /** Starts the daemon detached (see {@link Spawner#spawn}); returns its pid. */
    int spawnDetached(SpawnSpec spec) throws PosixException;

    void close(int fd);

    void kill(int pid, int signal) throws PosixException;

    /**
     * Binds {@link Spawner#instance()} on a thread of its own, while {@code start} reads its input, settings
     * and state files on the main thread: a {@code start} that runs a JVM nearly always spawns a daemon (the
     * launcher answers the others without one). A failure here shows again when {@link #jnr()} binds.
     */
    static void bindAhead() {
        Thread.ofPlatform().daemon().name("jrunc-bind").start(() -> {
            try {
                Spawner.instance();
            } catch (Throwable ignored) {
                // start's own call fails the same way and reports it
            }
        });
    }

    /** The shim's: {@link Spawner#instance()}, bound when first called for. */
    static StartCalls jnr() {
        Spawner spawner = Spawner.instance();
        return new StartCalls() {
            @Override
            public int listenUnix(Path path, int backlog) throws PosixException {
                return spawner.listenUnix(path, backlog);
            }

            @Override
            public int spawnDetached(SpawnSpec spec) throws PosixException {
                return spawner.spawn(spec);
            }

            @Override
            public void close(int fd) {
                spawner.close(fd);
            }

            @Override
            public void kill(int pid, int signal) throws PosixException {
                spawner.kill(pid, signal);
            }
        };
    }
}
