package io.jrunc.posix;

import java.nio.file.Path;

/**
 * The one door to the kernel for what the JDK cannot do: spawning with inherited fds and a new
 * session, subreaping, signals, raw fds, mounts. Implemented on jnr-posix; binding it costs
 * hundreds of milliseconds, so get it once per process and keep it off paths that need no syscalls.
 */
public interface Posix {

    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_CREAT = 0100;
    int O_APPEND = 02000;
    int O_NONBLOCK = 04000;
    int O_CLOEXEC = 02000000;

    int SIGKILL = 9;
    int SIGTERM = 15;

    int MNT_DETACH = 2;

    /** The process-wide implementation (jnr-posix), bound on first use. */
    static Posix get() {
        return JnrPosix.instance();
    }

    int pid();

    int parentPid();

    /** prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants become our children. */
    void becomeChildSubreaper() throws PosixException;

    /** Fails with errno 3 (ESRCH) when no such process exists. */
    void kill(int pid, int signal) throws PosixException;

    /** open(2); the fd is always close-on-exec (children get only the fds a {@link SpawnSpec} names). */
    int open(Path path, int flags, int mode) throws PosixException;

    /** A pipe with both ends close-on-exec: {read end, write end}. */
    int[] pipe() throws PosixException;

    /** Blocking read; returns 0 at end of file. */
    int read(int fd, byte[] buffer, int offset, int length) throws PosixException;

    /** Writes all of the given bytes, retrying short writes. */
    void write(int fd, byte[] buffer, int offset, int length) throws PosixException;

    void close(int fd);

    void fchown(int fd, int uid, int gid) throws PosixException;

    void mount(String source, Path target, String type, long flags, String data) throws PosixException;

    /** Fails with errno 22 (EINVAL) when nothing is mounted there. */
    void unmount(Path target, int flags) throws PosixException;

    /**
     * A close-on-exec Unix stream socket bound at {@code path} and listening. Fails with errno 98
     * (EADDRINUSE) when the path exists.
     */
    default int listenUnix(Path path, int backlog) throws PosixException {
        throw new PosixException("listen", Errno.ENOSYS, "Unix sockets are not supported by " + getClass().getName());
    }

    /**
     * Starts a process that nobody in this JVM waits for (used by {@code start} to launch the
     * daemon, which is orphaned when {@code start} exits). Returns its pid.
     */
    int spawnDetached(SpawnSpec spec) throws PosixException;
}
