package io.jrunc.shim;

import io.jrunc.posix.FfmSpawner;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.SpawnSpec;
import java.nio.file.Path;

/**
 * The kernel calls of {@code start} when it starts a daemon. In the shim they run on Java's FFM
 * ({@link FfmSpawner}): binding jnr-posix would cost {@code start} several hundred milliseconds.
 */
interface StartCalls {
    /** A close-on-exec listening Unix socket at {@code path}; errno EADDRINUSE when the path exists. */
    int listenUnix(Path path, int backlog) throws PosixException;

    int spawnDetached(SpawnSpec spec) throws PosixException;

    void close(int fd);

    void kill(int pid, int signal) throws PosixException;

    static StartCalls ffm() {
        FfmSpawner ffm = FfmSpawner.instance();
        return new StartCalls() {
            @Override
            public int listenUnix(Path path, int backlog) throws PosixException {
                return ffm.listenUnix(path, backlog);
            }

            @Override
            public int spawnDetached(SpawnSpec spec) throws PosixException {
                return ffm.spawnDetached(spec);
            }

            @Override
            public void close(int fd) {
                ffm.close(fd);
            }

            @Override
            public void kill(int pid, int signal) throws PosixException {
                ffm.kill(pid, signal);
            }
        };
    }

    static StartCalls of(Posix posix) {
        return new StartCalls() {
            @Override
            public int listenUnix(Path path, int backlog) throws PosixException {
                return posix.listenUnix(path, backlog);
            }

            @Override
            public int spawnDetached(SpawnSpec spec) throws PosixException {
                return posix.spawnDetached(spec);
            }

            @Override
            public void close(int fd) {
                posix.close(fd);
            }

            @Override
            public void kill(int pid, int signal) throws PosixException {
                posix.kill(pid, signal);
            }
        };
    }
}
