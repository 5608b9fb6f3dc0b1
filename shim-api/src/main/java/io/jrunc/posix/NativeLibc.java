package io.jrunc.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * Holder of the libc binding. jnr-ffi implements the interface in a class loader of its own, so
 * the interface must be public; nesting it in this package-private class keeps it out of the API.
 */
final class NativeLibc {
    private NativeLibc() {}

    /**
     * The libc calls jnr-posix does not offer (or offers without the error code): prctl, mount, Unix
     * sockets, pipe2, waitpid with errno, and posix_spawn with every file action glibc knows. Bound
     * once through jnr-ffi by {@link JnrPosix}.
     */
    public interface Calls {

        int prctl(int option, long arg2, long arg3, long arg4, long arg5);

        int mount(String source, String target, String type, long flags, String data);

        int umount2(String target, int flags);

        int pipe2(@Out int[] fds, int flags);

        int socket(int domain, int type, int protocol);

        int bind(int fd, @In byte[] address, int length);

        int listen(int fd, int backlog);

        int waitpid(int pid, @Out int[] status, int options);

        /** Returns 0 or the error number itself (posix_spawn does not set errno). */
        int posix_spawnp(@Out IntByReference pid, String file, Pointer fileActions, Pointer attributes,
                @In String[] argv, @In String[] envp);

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
}
