package io.jrunc.posix;

/** A failed system call, with the errno it failed with. */
public class PosixException extends Exception {
    private final int errno;

    public PosixException(String call, int errno, String detail) {
        super(call + " failed: " + detail + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
