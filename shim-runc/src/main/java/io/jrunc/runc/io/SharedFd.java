package io.jrunc.runc.io;

import io.jrunc.posix.Posix;

/** An fd several copiers write to (stdout and stderr into one file); closed when the last one lets go. */
final class SharedFd {
    private final Posix posix;
    private final int fd;
    private int holders;

    SharedFd(Posix posix, int fd, int holders) {
        this.posix = posix;
        this.fd = fd;
        this.holders = holders;
    }

    int fd() {
        return fd;
    }

    synchronized void release() {
        if (holders > 0 && --holders == 0) {
            posix.close(fd);
        }
    }
}
