package io.jrunc.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * Holder of the libc bindings. jnr-ffi implements the interfaces in a class loader of its own, so
 * they must be public; nesting it in this package-private class keeps it out of the API.
 */
final class NativeLibc {
    private NativeLibc() {}

    /**
     * The libc calls that start a process and hand it a listening socket: all that {@code start} binds
     * ({@link Spawner#instance()}), so that it pays for a dozen bindings instead of the daemon's whole set.
     */
    public interface SpawnCalls {

        int socket(int domain, int type, int protocol);

        int bind(int fd, @In byte[] address, int length);

        int listen(int fd, int backlog);

        int close(int fd);

        int kill(int pid, int signal);

        /**
         * Returns 0 or the error number itself (posix_spawn does not set errno). argv and envp: NULL-terminated
         * arrays of C strings that the caller owns (see Spawner.CStrings).
         */
        int posix_spawnp(@Out IntByReference pid, String file, Pointer fileActions, Pointer attributes,
                Pointer argv, Pointer envp);

        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_destroy(Pointer actions);

        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

        int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

        int posix_spawn_file_actions_addclose(Pointer actions, int fd);

        /** glibc 2.29+. */
        int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

        /** glibc 2.34+. */
        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int lowFd);

        int posix_spawnattr_init(Pointer attributes);

        int posix_spawnattr_destroy(Pointer attributes);

        int posix_spawnattr_setflags(Pointer attributes, short flags);

        int posix_spawnattr_setsigmask(Pointer attributes, Pointer signals);

        int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

        int sigemptyset(Pointer signals);

        int sigfillset(Pointer signals);
    }

    /**
     * The libc calls jnr-posix does not offer (or offers without the error code): prctl, mount, Unix
     * sockets (with fd passing), pipe2, waitpid with errno, poll, ptys and their window size, epoll,
     * inotify, splice; plus {@link SpawnCalls}. Bound once through jnr-ffi by {@link JnrPosix}.
     */
    public interface Calls extends SpawnCalls {

        int prctl(int option, long arg2, long arg3, long arg4, long arg5);

        int mount(String source, String target, String type, long flags, String data);

        int umount2(String target, int flags);

        int pipe2(@Out int[] fds, int flags);

        int waitpid(int pid, @Out int[] status, int options);

        /** {@code fds} holds struct pollfd as pairs of ints: fd, then events (low 16 bits) and revents (high). */
        int poll(@In @Out int[] fds, long count, int timeoutMillis);

        int accept4(int fd, Pointer address, Pointer addressLength, int flags);

        int connect(int fd, @In byte[] address, int length);

        long recvmsg(int fd, Pointer message, int flags);

        long sendmsg(int fd, Pointer message, int flags);

        /** For the ioctls that take a struct winsize (four unsigned shorts). */
        int ioctl(int fd, long request, @In @Out short[] winsize);

        /** For the ioctls that give one int (FIONREAD). */
        int ioctl(int fd, long request, @Out int[] value);

        int posix_openpt(int flags);

        int grantpt(int fd);

        int unlockpt(int fd);

        int ptsname_r(int fd, @Out byte[] buffer, long length);

        int eventfd(int initval, int flags);

        int epoll_create1(int flags);

        /** For the commands that take an int (F_GETFL, F_SETFL). */
        int fcntl(int fd, int cmd, int arg);

        int epoll_ctl(int epfd, int op, int fd, @In byte[] event);

        int epoll_wait(int epfd, @Out byte[] events, int maxEvents, int timeout);

        int inotify_init1(int flags);

        int inotify_add_watch(int fd, String path, int mask);

        int inotify_rm_watch(int fd, int wd);

        /** ssize_t splice(int, loff_t *, int, loff_t *, size_t, unsigned int); offsets always NULL here. */
        long splice(int fdIn, Pointer offIn, int fdOut, Pointer offOut, long length, int flags);
    }
}
