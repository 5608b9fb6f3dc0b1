package io.jrunc.posix;

/** Limits of Unix domain socket addresses on Linux. */
public final class UnixSockets {
    /**
     * Size of {@code sockaddr_un.sun_path} (the kernel's {@code UNIX_PATH_MAX}): a socket path must fit with its
     * terminating NUL, so it may have at most {@code SUN_PATH_MAX - 1} = 107 bytes.
     */
    public static final int SUN_PATH_MAX = 108;

    private UnixSockets() {}
}
