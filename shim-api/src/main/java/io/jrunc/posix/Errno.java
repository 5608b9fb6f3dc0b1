package io.jrunc.posix;

/** The Linux errno values callers branch on. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int EPIPE = 32;
    public static final int ENOSYS = 38;
    public static final int EADDRINUSE = 98;
    public static final int ECONNREFUSED = 111;

    private Errno() {}

    /** The C library's text for an errno, e.g. "No such file or directory". */
    public static String describe(int errno) {
        jnr.constants.platform.Errno known = jnr.constants.platform.Errno.valueOf(errno);
        return known == null || !known.defined() ? "errno " + errno : known.description();
    }
}
