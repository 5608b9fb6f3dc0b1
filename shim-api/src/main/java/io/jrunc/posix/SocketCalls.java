package io.jrunc.posix;

import java.nio.file.Path;

/** Unix sockets and fd passing (SCM_RIGHTS): listeners and console sockets. Part of {@link Posix}. */
public interface SocketCalls {
    /**
     * A close-on-exec Unix stream socket bound at {@code path} and listening. Fails with errno 98
     * (EADDRINUSE) when the path exists.
     */
    int listenUnix(Path path, int backlog) throws PosixException;

    /** accept4(2) on a listening socket; the new connection is close-on-exec. Blocks until a peer connects. */
    int accept(int listenFd) throws PosixException;

    /** A close-on-exec Unix stream socket connected to {@code path}. */
    int connectUnix(Path path) throws PosixException;

    /**
     * recvmsg(2) of one message on a Unix socket: up to {@code buffer.length} bytes, plus the fds sent with
     * it (SCM_RIGHTS, received close-on-exec, at most {@code maxFds}; the caller owns and must close them).
     */
    ReceivedMessage receiveWithFds(int fd, byte[] buffer, int maxFds) throws PosixException;

    /** sendmsg(2) of {@code data} with {@code fds} attached (SCM_RIGHTS; none: a plain message). */
    void sendWithFds(int fd, byte[] data, int[] fds) throws PosixException;
}
