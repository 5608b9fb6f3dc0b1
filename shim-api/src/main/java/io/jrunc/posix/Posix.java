package io.jrunc.posix;

/**
 * The one door to the kernel for what the JDK cannot do, one interface per concern: processes
 * (subreaping, signals, detached spawn), raw file descriptors, mounts, event notification (eventfd,
 * epoll, inotify), Unix sockets with fd passing, pseudo-terminals, splice. {@link JnrPosix} implements
 * them all, on jnr-posix where it has the call and jnr-ffi ({@link NativeLibc}) for the rest; binding it
 * costs hundreds of milliseconds, so get it once per process and keep it off paths that need no syscalls.
 */
public interface Posix extends Processes, FileDescriptors, Mounts, EventNotification, SocketCalls, Terminals, Splicing {

    /** The process-wide implementation (jnr-posix), bound on first use. */
    static Posix get() {
        return JnrPosix.instance();
    }
}
