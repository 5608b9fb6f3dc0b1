package io.jrunc.posix;

/** A failed system call, with the errno it failed with. */
public class PosixException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public PosixException(String call, int errno, String detail) {
        // EAGAIN is flow control on non-blocking fds (every drained pipe ends with it): no stack trace to fill.
        super(call + " failed: " + detail + " (errno " + errno + ")", null, true, errno != Errno.EAGAIN);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
