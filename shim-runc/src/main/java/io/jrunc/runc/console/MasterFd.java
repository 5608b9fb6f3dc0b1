package io.jrunc.runc.console;

import io.jrunc.posix.Posix;

/**
 * The pty master's fd, shared by the console and its two copiers: closed when the last holder lets go, so
 * nobody ever uses the number after it was closed (and maybe reused).
 */
final class MasterFd {
    private final Posix posix;
    private final int fd;
    private int holders = 1;

    MasterFd(Posix posix, int fd) {
        this.posix = posix;
        this.fd = fd;
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
