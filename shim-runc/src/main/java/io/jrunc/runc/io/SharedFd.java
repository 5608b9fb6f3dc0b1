package io.jrunc.runc.io;

import io.jrunc.posix.Posix;

/**
 * An fd with several holders (stdout and stderr into one file; a pty master used by the console and its two
 * copies): closed when the last one lets go, so nobody ever uses the number after it was closed (and maybe
 * reused).
 */
final class SharedFd {
    private final Posix posix;
    private final int fd;
    private int holders;

    SharedFd(Posix posix, int fd, int holders) {
        this.posix = posix;
        this.fd = fd;
        this.holders = holders;
    }

    /** An fd with one holder: whoever gets it closes it by releasing it. */
    static SharedFd owned(Posix posix, int fd) {
        return new SharedFd(posix, fd, 1);
    }

    int fd() {
        return fd;
    }

    /** One more holder; false once the fd is closed. */
    synchronized boolean acquire() {
        if (holders == 0) {
            return false;
        }
        holders++;
        return true;
    }

    synchronized void release() {
        if (holders > 0 && --holders == 0) {
            posix.close(fd);
        }
    }
}
