package io.jrunc.posix;

/** splice(2): moving bytes between a pipe and another fd without copying them through user space. Part of {@link Posix}. */
public interface Splicing {
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
    long splice(int fdIn, int fdOut, long length, int flags) throws PosixException;
}
