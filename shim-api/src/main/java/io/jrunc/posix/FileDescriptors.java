package io.jrunc.posix;

import java.nio.file.Path;

/** Raw file descriptors: open, pipes, reads and writes, non-blocking mode, ownership, poll and FIONREAD. Part of {@link Posix}. */
public interface FileDescriptors {
    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_CREAT = 0100;
    int O_NOCTTY = 0400;
    int O_APPEND = 02000;
    int O_NONBLOCK = 04000;
    int O_CLOEXEC = 02000000;

    /** poll(2) event bits. */
    short POLLIN = 0x001;
    short POLLOUT = 0x004;
    short POLLERR = 0x008;
    short POLLHUP = 0x010;
    short POLLNVAL = 0x020;

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
    int writeSome(int fd, byte[] buffer, int offset, int length) throws PosixException;

    /** fcntl(F_SETFL): adds O_NONBLOCK to the open file description of {@code fd} (shared with its dups). */
    void setNonBlocking(int fd) throws PosixException;

    void close(int fd);

    void fchown(int fd, int uid, int gid) throws PosixException;

    /**
     * poll(2): waits until one of {@code fds} has one of its {@code events} (or an error/hang-up), at most
     * {@code timeoutMillis} (negative: no limit). Fills {@code revents}; returns how many fds are ready, 0 on
     * timeout. Interrupted calls are retried with the full timeout.
     */
    int poll(int[] fds, short[] events, short[] revents, int timeoutMillis) throws PosixException;

    /** ioctl(FIONREAD): bytes written into a pipe or FIFO that no reader has taken yet. */
    int unreadBytes(int fd) throws PosixException;
}
