package io.jrunc.posix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * {@link Posix} on jnr-posix, plus a small jnr-ffi binding ({@link NativeLibc}) for the calls
 * jnr-posix lacks. Binding costs hundreds of milliseconds, so there is one lazily created instance.
 */
public final class JnrPosix implements Posix {

    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SUN_PATH_MAX = 108;

    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;

    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128 (x86_64); room to spare.
    private static final int SPAWN_STRUCT_BYTES = 1024;
    private static final int SIGSET_BYTES = 256;

    private static final class Holder {
        static final JnrPosix INSTANCE = new JnrPosix();
    }

    private final POSIX posix;
    private final NativeLibc.Calls libc;
    private final jnr.ffi.Runtime runtime;
    private volatile boolean closeFromMissing;
    /** Told of every child started outside a reaper, so a reaper sleeping on ECHILD wakes for it. */
    private final java.util.List<Runnable> spawnListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private JnrPosix() {
        posix = POSIXFactory.getNativePOSIX(new QuietPosixHandler());
        libc = LibraryLoader.create(NativeLibc.Calls.class)
                .load(Platform.getNativePlatform().getStandardCLibraryName());
        runtime = jnr.ffi.Runtime.getRuntime(libc);
    }

    /** The process-wide instance, bound on first use. */
    public static JnrPosix instance() {
        return Holder.INSTANCE;
    }

    private int errno() {
        return LastError.getLastError(runtime);
    }

    private PosixException failure(String call, int errno, String what) {
        return new PosixException(call, errno, what + ": " + Errno.describe(errno));
    }

    @Override
    public int pid() {
        return posix.getpid();
    }

    @Override
    public int parentPid() {
        return posix.getppid();
    }

    @Override
    public void becomeChildSubreaper() throws PosixException {
        if (libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            throw failure("prctl", errno(), "PR_SET_CHILD_SUBREAPER");
        }
    }

    @Override
    public void kill(int pid, int signal) throws PosixException {
        if (posix.kill(pid, signal) != 0) {
            throw failure("kill", posix.errno(), "pid " + pid + " signal " + signal);
        }
    }

    /** Always adds O_CLOEXEC: children get only the fds their {@link SpawnSpec} names. */
    @Override
    public int open(Path path, int flags, int mode) throws PosixException {
        while (true) {
            int fd = posix.open(path.toString(), flags | O_CLOEXEC, mode);
            if (fd >= 0) {
                return fd;
            }
            int errno = posix.errno();
            if (errno != Errno.EINTR) {
                throw failure("open", errno, path.toString());
            }
        }
    }

    @Override
    public int[] pipe() throws PosixException {
        int[] fds = new int[2];
        if (libc.pipe2(fds, O_CLOEXEC) != 0) {
            throw failure("pipe2", errno(), "pipe");
        }
        return fds;
    }

    @Override
    public int read(int fd, byte[] buffer, int offset, int length) throws PosixException {
        byte[] target = offset == 0 ? buffer : new byte[length];
        while (true) {
            int n = posix.read(fd, target, length);
            if (n >= 0) {
                if (target != buffer) {
                    System.arraycopy(target, 0, buffer, offset, n);
                }
                return n;
            }
            int errno = posix.errno();
            if (errno != Errno.EINTR) {
                throw failure("read", errno, "fd " + fd);
            }
        }
    }

    @Override
    public void write(int fd, byte[] buffer, int offset, int length) throws PosixException {
        byte[] rest = offset == 0 && length == buffer.length ? buffer : java.util.Arrays.copyOfRange(buffer, offset, offset + length);
        while (rest.length > 0) {
            int n = posix.write(fd, rest, rest.length);
            if (n < 0) {
                int errno = posix.errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                throw failure("write", errno, "fd " + fd);
            }
            rest = java.util.Arrays.copyOfRange(rest, n, rest.length);
        }
    }

    @Override
    public void close(int fd) {
        posix.close(fd);
    }

    @Override
    public void fchown(int fd, int uid, int gid) throws PosixException {
        if (posix.fchown(fd, uid, gid) != 0) {
            throw failure("fchown", posix.errno(), "fd " + fd);
        }
    }

    @Override
    public void mount(String source, Path target, String type, long flags, String data) throws PosixException {
        if (libc.mount(source, target.toString(), type, flags, data) != 0) {
            throw failure("mount", errno(), source + " on " + target);
        }
    }

    @Override
    public void unmount(Path target, int flags) throws PosixException {
        if (libc.umount2(target.toString(), flags) != 0) {
            throw failure("umount2", errno(), target.toString());
        }
    }

    @Override
    public int listenUnix(Path path, int backlog) throws PosixException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_MAX) {
            throw new PosixException("bind", Errno.EINVAL, "socket path longer than " + (SUN_PATH_MAX - 1) + " bytes: " + path);
        }
        // struct sockaddr_un: sa_family_t (little-endian u16) then the NUL-terminated path.
        byte[] address = new byte[2 + name.length + 1];
        address[0] = AF_UNIX;
        System.arraycopy(name, 0, address, 2, name.length);
        int fd = libc.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket", errno(), "AF_UNIX");
        }
        if (libc.bind(fd, address, address.length) != 0) {
            int errno = errno();
            posix.close(fd);
            throw failure("bind", errno, path.toString());
        }
        if (libc.listen(fd, backlog) != 0) {
            int errno = errno();
            posix.close(fd);
            throw failure("listen", errno, path.toString());
        }
        return fd;
    }

    @Override
    public int spawnDetached(SpawnSpec spec) throws PosixException {
        int pid = spawnProcess(spec);
        spawnListeners.forEach(Runnable::run);
        return pid;
    }

    void addSpawnListener(Runnable listener) {
        spawnListeners.add(listener);
    }

    void removeSpawnListener(Runnable listener) {
        spawnListeners.remove(listener);
    }

    /**
     * posix_spawnp with the spec's fds, working directory and session; the child starts with no
     * blocked signals and default dispositions (JVM threads block SIGQUIT, which children inherit).
     */
    int spawnProcess(SpawnSpec spec) throws PosixException {
        SpawnPlan plan = SpawnPlan.of(spec.fds(), spec.workingDirectory());
        Pointer actions = Memory.allocateDirect(runtime, SPAWN_STRUCT_BYTES);
        Pointer attributes = Memory.allocateDirect(runtime, SPAWN_STRUCT_BYTES);
        Pointer noSignals = Memory.allocateDirect(runtime, SIGSET_BYTES);
        Pointer allSignals = Memory.allocateDirect(runtime, SIGSET_BYTES);
        check("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions));
        try {
            check("posix_spawnattr_init", libc.posix_spawnattr_init(attributes));
            try {
                for (SpawnPlan.Action action : plan.actions()) {
                    addAction(actions, action);
                }
                libc.sigemptyset(noSignals);
                libc.sigfillset(allSignals);
                check("posix_spawnattr_setsigmask", libc.posix_spawnattr_setsigmask(attributes, noSignals));
                check("posix_spawnattr_setsigdefault", libc.posix_spawnattr_setsigdefault(attributes, allSignals));
                short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (spec.newSession() ? POSIX_SPAWN_SETSID : 0));
                check("posix_spawnattr_setflags", libc.posix_spawnattr_setflags(attributes, flags));

                String[] argv = spec.argv().toArray(String[]::new);
                String[] envp = environment(spec.environment());
                IntByReference pid = new IntByReference();
                int rc = libc.posix_spawnp(pid, argv[0], actions, attributes, argv, envp);
                if (rc != 0) {
                    throw new PosixException("posix_spawnp", rc, "cannot start " + argv[0]
                            + spec.workingDirectory().map(d -> " in " + d).orElse("") + ": " + Errno.describe(rc));
                }
                return pid.intValue();
            } finally {
                libc.posix_spawnattr_destroy(attributes);
            }
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
        }
    }

    private void addAction(Pointer actions, SpawnPlan.Action action) throws PosixException {
        switch (action) {
            case SpawnPlan.ChangeDirectory cd -> check("posix_spawn_file_actions_addchdir_np",
                    libc.posix_spawn_file_actions_addchdir_np(actions, cd.directory().toString()));
            case SpawnPlan.Dup dup -> check("posix_spawn_file_actions_adddup2",
                    libc.posix_spawn_file_actions_adddup2(actions, dup.from(), dup.to()));
            case SpawnPlan.OpenDevNull open -> check("posix_spawn_file_actions_addopen",
                    libc.posix_spawn_file_actions_addopen(actions, open.fd(), "/dev/null", O_RDWR, 0));
            case SpawnPlan.Close close -> check("posix_spawn_file_actions_addclose",
                    libc.posix_spawn_file_actions_addclose(actions, close.fd()));
            case SpawnPlan.CloseFrom from -> addCloseFrom(actions, from.lowFd());
        }
    }

    /** closefrom in the child (glibc 2.34+); on older glibc, close what this process has open now. */
    private void addCloseFrom(Pointer actions, int lowFd) throws PosixException {
        if (!closeFromMissing) {
            try {
                check("posix_spawn_file_actions_addclosefrom_np",
                        libc.posix_spawn_file_actions_addclosefrom_np(actions, lowFd));
                return;
            } catch (UnsatisfiedLinkError e) {
                closeFromMissing = true;
            }
        }
        for (int fd : openFds()) {
            if (fd >= lowFd) {
                check("posix_spawn_file_actions_addclose", libc.posix_spawn_file_actions_addclose(actions, fd));
            }
        }
    }

    private static List<Integer> openFds() throws PosixException {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : entries) {
                fds.add(Integer.parseInt(entry.getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            throw new PosixException("opendir", Errno.ENOENT, "/proc/self/fd: " + e.getMessage());
        }
        return fds;
    }

    private static String[] environment(Map<String, String> environment) {
        return environment.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
    }

    private static void check(String call, int rc) throws PosixException {
        if (rc != 0) {
            throw new PosixException(call, rc, Errno.describe(rc));
        }
    }

    /**
     * Blocking waitpid(-1): the pid of a reaped child with its raw status in {@code status[0]}, or
     * -errno (ECHILD when there are no children).
     */
    int waitAnyChild(int[] status) {
        while (true) {
            int pid = libc.waitpid(-1, status, 0);
            if (pid > 0) {
                return pid;
            }
            int errno = errno();
            if (errno != Errno.EINTR) {
                return -errno;
            }
        }
    }
}
