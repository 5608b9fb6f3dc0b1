package io.jrunc.posix;

import java.nio.file.Path;

/** Event notification: eventfd, epoll and inotify (the stdio loop and OOM watching). Part of {@link Posix}. */
public interface EventNotification {
    /** eventfd(2) flag: reads fail with EAGAIN instead of blocking while the counter is 0. */
    int EFD_NONBLOCK = 04000;

    /** epoll event bit: the fd is readable. */
    int EPOLLIN = 0x001;

    /** epoll event bit: the fd is writable. */
    int EPOLLOUT = 0x004;

    /** inotify mask bits: file modified; watch removed (file deleted or watch dropped). */
    int IN_MODIFY = 0x002;
    int IN_IGNORED = 0x8000;

    /** eventfd(2), always close-on-exec; {@code flags} may add {@link #EFD_NONBLOCK}. Read it as 8 bytes. */
    int eventfd(int initval, int flags) throws PosixException;

    /** epoll_create1(EPOLL_CLOEXEC). */
    int epollCreate() throws PosixException;

    /** epoll_ctl(ADD): watch {@code events} (e.g. {@link #EPOLLIN}) on {@code fd}; {@link #epollWait} reports {@code token}. */
    void epollAdd(int epfd, int fd, int events, long token) throws PosixException;

    /** epoll_ctl(MOD): watch {@code events} instead of what {@code fd} was added or last modified with. */
    void epollModify(int epfd, int fd, int events, long token) throws PosixException;

    /** epoll_ctl(DEL). */
    void epollRemove(int epfd, int fd) throws PosixException;

    /**
     * epoll_wait for at most {@code tokens.length} events, {@code timeoutMillis} -1 meaning forever. Fills
     * {@code tokens} with those of the ready fds and returns how many; 0 on timeout or when interrupted (EINTR).
     */
    int epollWait(int epfd, long[] tokens, int timeoutMillis) throws PosixException;

    /**
     * inotify_init1, always close-on-exec and non-blocking (poll it with epoll). Its reads give struct
     * inotify_event records: int wd, uint32 mask, uint32 cookie, uint32 len, then len name bytes.
     */
    int inotifyInit() throws PosixException;

    /** inotify_add_watch; returns the watch descriptor (the same one again for a file already watched). */
    int inotifyAddWatch(int fd, Path path, int mask) throws PosixException;

    /** inotify_rm_watch. */
    void inotifyRemoveWatch(int fd, int wd) throws PosixException;
}
