package io.jrunc.posix;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
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

/**
 * The one posix_spawn of jrunc, and the one listening Unix socket, on jnr-ffi
 * ({@link NativeLibc.SpawnCalls}). The daemon's {@link JnrPosix} runs it on its whole libc binding;
 * {@code start}, which needs nothing else, gets {@link #instance()}, which binds only these calls.
 *
 * <p>A spawned child gets exactly the fds of its {@link SpawnPlan}, no blocked signals (JVM threads block
 * SIGQUIT, which children would inherit) and default dispositions, and with {@link SpawnSpec#newSession()} a
 * session of its own. Failures are {@link PosixException}s naming the call and its errno.
 */
public final class Spawner {
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 02000000;

    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128 (x86_64); room to spare.
    private static final int SPAWN_STRUCT_BYTES = 1024;
    private static final int SIGSET_BYTES = 256;

    private static final class Holder {
        static final Spawner INSTANCE = new Spawner(bind(NativeLibc.SpawnCalls.class));
    }

    private final NativeLibc.SpawnCalls libc;
    private final jnr.ffi.Runtime runtime;
    private volatile boolean closeFromMissing;

    Spawner(NativeLibc.SpawnCalls libc) {
        this.libc = libc;
        this.runtime = jnr.ffi.Runtime.getRuntime(libc);
    }

    /** This process's spawner on a binding of its own calls only, made on first use (what {@code start} uses). */
    public static Spawner instance() {
        return Holder.INSTANCE;
    }

    /** {@code calls} bound to the C library through jnr-ffi. */
    static <T> T bind(Class<T> calls) {
        return LibraryLoader.create(calls).load(Platform.getNativePlatform().getStandardCLibraryName());
    }

    /** A close-on-exec Unix stream socket bound at {@code path} and listening; EADDRINUSE when the path exists. */
    public int listenUnix(Path path, int backlog) throws PosixException {
        byte[] address = socketAddress("bind", path);
        int fd = unixStreamSocket();
        if (libc.bind(fd, address, address.length) != 0) {
            int errno = errno();
            libc.close(fd);
            throw failure("bind", errno, path.toString());
        }
        if (libc.listen(fd, backlog) != 0) {
            int errno = errno();
            libc.close(fd);
            throw failure("listen", errno, path.toString());
        }
        return fd;
    }

    /** A close-on-exec, unconnected Unix stream socket. */
    int unixStreamSocket() throws PosixException {
        int fd = libc.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw failure("socket", errno(), "AF_UNIX");
        }
        return fd;
    }

    /** struct sockaddr_un: sa_family_t (little-endian u16) then the NUL-terminated path. */
    static byte[] socketAddress(String call, Path path) throws PosixException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= UnixSockets.SUN_PATH_MAX) {
            throw new PosixException(call, Errno.EINVAL,
                    "socket path longer than " + (UnixSockets.SUN_PATH_MAX - 1) + " bytes: " + path);
        }
        byte[] address = new byte[2 + name.length + 1];
        address[0] = AF_UNIX;
        System.arraycopy(name, 0, address, 2, name.length);
        return address;
    }

    public void close(int fd) {
        libc.close(fd);
    }

    /** Fails with ESRCH when no such process exists. */
    public void kill(int pid, int signal) throws PosixException {
        if (libc.kill(pid, signal) != 0) {
            throw failure("kill", errno(), "pid " + pid + " signal " + signal);
        }
    }

    /**
     * posix_spawnp of {@code spec}: its fds, working directory and session; the child starts with no
     * blocked signals and default dispositions. Returns the child's pid; nobody here waits for it.
     */
    public int spawn(SpawnSpec spec) throws PosixException {
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

                String program = spec.argv().getFirst();
                CStrings argv = new CStrings(runtime, spec.argv());
                CStrings envp = new CStrings(runtime, environment(spec.environment()));
                IntByReference pid = new IntByReference();
                int rc = libc.posix_spawnp(pid, program, actions, attributes, argv.array(), envp.array());
                // The native memory must outlive the call: jnr frees it when its Java objects are collected,
                // and a collection during the child's exec gave EFAULT (about once in 1,000 spawns).
                Reference.reachabilityFence(argv);
                Reference.reachabilityFence(envp);
                Reference.reachabilityFence(noSignals);
                Reference.reachabilityFence(allSignals);
                if (rc != 0) {
                    throw new PosixException("posix_spawnp", rc, "cannot start " + program
                            + spec.workingDirectory().map(d -> " in " + d).orElse("") + ": " + Errno.describe(rc));
                }
                return pid.intValue();
            } finally {
                libc.posix_spawnattr_destroy(attributes);
            }
        } finally {
            libc.posix_spawn_file_actions_destroy(actions);
            Reference.reachabilityFence(actions);
            Reference.reachabilityFence(attributes);
        }
    }

    /** A NULL-terminated {@code char *[]} in native memory this object owns, for exec-style calls. */
    private static final class CStrings {
        private final List<Pointer> strings = new ArrayList<>();
        private final Pointer array;

        CStrings(jnr.ffi.Runtime runtime, List<String> values) {
            int slot = runtime.addressSize();
            array = Memory.allocateDirect(runtime, (values.size() + 1) * slot, true);
            for (int i = 0; i < values.size(); i++) {
                byte[] bytes = values.get(i).getBytes(StandardCharsets.UTF_8);
                Pointer string = Memory.allocateDirect(runtime, bytes.length + 1, true);
                string.put(0, bytes, 0, bytes.length);
                string.putByte(bytes.length, (byte) 0);
                strings.add(string);
                array.putPointer((long) i * slot, string);
            }
            array.putAddress((long) values.size() * slot, 0L);
        }

        Pointer array() {
            return array;
        }
    }

    private void addAction(Pointer actions, SpawnPlan.Action action) throws PosixException {
        switch (action) {
            case SpawnPlan.ChangeDirectory cd -> check("posix_spawn_file_actions_addchdir_np",
                    libc.posix_spawn_file_actions_addchdir_np(actions, cd.directory().toString()));
            case SpawnPlan.Dup dup -> check("posix_spawn_file_actions_adddup2",
                    libc.posix_spawn_file_actions_adddup2(actions, dup.from(), dup.to()));
            case SpawnPlan.OpenDevNull open -> check("posix_spawn_file_actions_addopen",
                    libc.posix_spawn_file_actions_addopen(actions, open.fd(), "/dev/null", Posix.O_RDWR, 0));
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
        for (int fd : SpawnPlan.openFds()) {
            if (fd >= lowFd) {
                check("posix_spawn_file_actions_addclose", libc.posix_spawn_file_actions_addclose(actions, fd));
            }
        }
    }

    private static List<String> environment(Map<String, String> environment) {
        return environment.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    private static void check(String call, int rc) throws PosixException {
        if (rc != 0) {
            throw new PosixException(call, rc, Errno.describe(rc));
        }
    }

    int errno() {
        return LastError.getLastError(runtime);
    }

    static PosixException failure(String call, int errno, String what) {
        return new PosixException(call, errno, what + ": " + Errno.describe(errno));
    }
}
