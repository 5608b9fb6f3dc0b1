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
    int O_NOCTTY = 0400;
    int O_APPEND = 02000;
    int O_NONBLOCK = 04000;
    int O_CLOEXEC = 02000000;

    int SIGKILL = 9;
    int SIGTERM = 15;

    int MNT_DETACH = 2;

    /** poll(2) event bits. */
    short POLLIN = 0x001;
    short POLLOUT = 0x004;
    short POLLERR = 0x008;
    short POLLHUP = 0x010;
    short POLLNVAL = 0x020;

    /** eventfd(2) flag: reads fail with EAGAIN instead of blocking while the counter is 0. */
    int EFD_NONBLOCK = 04000;
    /** epoll event bit: the fd is readable. */
    int EPOLLIN = 0x001;
    /** epoll event bit: the fd is writable. */
    int EPOLLOUT = 0x004;
    /** inotify mask bits: file modified; watch removed (file deleted or watch dropped). */
    int IN_MODIFY = 0x002;
    int IN_IGNORED = 0x8000;

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

    /**
     * One write(2) (EINTR retried): returns how many bytes went, maybe fewer than {@code length}. On a
     * non-blocking fd with no room it fails with EAGAIN, having written nothing.
     */
    default int writeSome(int fd, byte[] buffer, int offset, int length) throws PosixException {
        throw new PosixException("write", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /** fcntl(F_SETFL): adds O_NONBLOCK to the open file description of {@code fd} (shared with its dups). */
    default void setNonBlocking(int fd) throws PosixException {
        throw new PosixException("fcntl", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

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

    /** eventfd(2), always close-on-exec; {@code flags} may add {@link #EFD_NONBLOCK}. Read it as 8 bytes. */
    default int eventfd(int initval, int flags) throws PosixException {
        throw new PosixException("eventfd", Errno.ENOSYS, "eventfd is not supported by " + getClass().getName());
    }

    /** epoll_create1(EPOLL_CLOEXEC). */
    default int epollCreate() throws PosixException {
        throw new PosixException("epoll_create1", Errno.ENOSYS, "epoll is not supported by " + getClass().getName());
    }

    /** epoll_ctl(ADD): watch {@code events} (e.g. {@link #EPOLLIN}) on {@code fd}; {@link #epollWait} reports {@code token}. */
    default void epollAdd(int epfd, int fd, int events, long token) throws PosixException {
        throw new PosixException("epoll_ctl", Errno.ENOSYS, "epoll is not supported by " + getClass().getName());
    }

    /** epoll_ctl(MOD): watch {@code events} instead of what {@code fd} was added or last modified with. */
    default void epollModify(int epfd, int fd, int events, long token) throws PosixException {
        throw new PosixException("epoll_ctl", Errno.ENOSYS, "epoll is not supported by " + getClass().getName());
    }

    /** epoll_ctl(DEL). */
    default void epollRemove(int epfd, int fd) throws PosixException {
        throw new PosixException("epoll_ctl", Errno.ENOSYS, "epoll is not supported by " + getClass().getName());
    }

    /**
     * epoll_wait for at most {@code tokens.length} events, {@code timeoutMillis} -1 meaning forever. Fills
     * {@code tokens} with those of the ready fds and returns how many; 0 on timeout or when interrupted (EINTR).
     */
    default int epollWait(int epfd, long[] tokens, int timeoutMillis) throws PosixException {
        throw new PosixException("epoll_wait", Errno.ENOSYS, "epoll is not supported by " + getClass().getName());
    }

    /**
     * inotify_init1, always close-on-exec and non-blocking (poll it with epoll). Its reads give struct
     * inotify_event records: int wd, uint32 mask, uint32 cookie, uint32 len, then len name bytes.
     */
    default int inotifyInit() throws PosixException {
        throw new PosixException("inotify_init1", Errno.ENOSYS, "inotify is not supported by " + getClass().getName());
    }

    /** inotify_add_watch; returns the watch descriptor (the same one again for a file already watched). */
    default int inotifyAddWatch(int fd, Path path, int mask) throws PosixException {
        throw new PosixException("inotify_add_watch", Errno.ENOSYS, "inotify is not supported by " + getClass().getName());
    }

    /** inotify_rm_watch. */
    default void inotifyRemoveWatch(int fd, int wd) throws PosixException {
        throw new PosixException("inotify_rm_watch", Errno.ENOSYS, "inotify is not supported by " + getClass().getName());
    }

    /**
     * poll(2): waits until one of {@code fds} has one of its {@code events} (or an error/hang-up), at most
     * {@code timeoutMillis} (negative: no limit). Fills {@code revents}; returns how many fds are ready, 0 on
     * timeout. Interrupted calls are retried with the full timeout.
     */
    default int poll(int[] fds, short[] events, short[] revents, int timeoutMillis) throws PosixException {
        throw new PosixException("poll", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /** accept4(2) on a listening socket; the new connection is close-on-exec. Blocks until a peer connects. */
    default int accept(int listenFd) throws PosixException {
        throw new PosixException("accept4", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /** A close-on-exec Unix stream socket connected to {@code path}. */
    default int connectUnix(Path path) throws PosixException {
        throw new PosixException("connect", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /**
     * recvmsg(2) of one message on a Unix socket: up to {@code buffer.length} bytes, plus the fds sent with
     * it (SCM_RIGHTS, received close-on-exec, at most {@code maxFds}; the caller owns and must close them).
     */
    default ReceivedMessage receiveWithFds(int fd, byte[] buffer, int maxFds) throws PosixException {
        throw new PosixException("recvmsg", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /** sendmsg(2) of {@code data} with {@code fds} attached (SCM_RIGHTS; none: a plain message). */
    default void sendWithFds(int fd, byte[] data, int[] fds) throws PosixException {
        throw new PosixException("sendmsg", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /** ioctl(TIOCSWINSZ): the terminal's size in character cells (pixels left 0). */
    default void setWindowSize(int fd, int rows, int cols) throws PosixException {
        throw new PosixException("ioctl", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /** ioctl(FIONREAD): bytes written into a pipe or FIFO that no reader has taken yet. */
    default int unreadBytes(int fd) throws PosixException {
        throw new PosixException("ioctl", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /** ioctl(TIOCGWINSZ): {rows, cols} of the terminal. */
    default int[] windowSize(int fd) throws PosixException {
        throw new PosixException("ioctl", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /**
     * A new pseudo-terminal: its master, close-on-exec and not our controlling terminal, ready for the slave
     * ({@link #ptySlave}) to be opened.
     */
    default int openPtyMaster() throws PosixException {
        throw new PosixException("posix_openpt", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /** The slave device of a pty master, e.g. /dev/pts/3. */
    default Path ptySlave(int master) throws PosixException {
        throw new PosixException("ptsname_r", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /** splice(2) flag: move pages instead of copying them (a hint). */
    int SPLICE_F_MOVE = 1;
    /** splice(2) flag: do not block on the pipes (EAGAIN instead); the other fd needs O_NONBLOCK as well. */
    int SPLICE_F_NONBLOCK = 2;

    /**
     * splice(2) without offsets: moves up to {@code length} bytes from {@code fdIn} to {@code fdOut}, one of which
     * must be a pipe, without copying them through user space. Blocks like read/write on blocking fds; returns
     * the bytes moved, 0 at end of input. Fails with EINVAL when these fds cannot be spliced (e.g. an O_APPEND
     * file), EAGAIN when a non-blocking fd is not ready; EINTR is retried.
     */
    default long splice(int fdIn, int fdOut, long length, int flags) throws PosixException {
        throw new PosixException("splice", Errno.ENOSYS, "not supported by " + getClass().getName());
    }

    /**
     * Starts a process that nobody in this JVM waits for (see {@link Spawner#spawn}, which {@code start}
     * uses directly to launch the daemon). Returns its pid.
     */
    int spawnDetached(SpawnSpec spec) throws PosixException;
}
