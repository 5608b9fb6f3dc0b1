package io.jrunc.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The few calls the {@code start} action makes (a listening Unix socket, posix_spawn of the daemon
 * with that socket as an inherited fd and a session of its own, close, kill) on Java's own FFM API.
 * Binding jnr-posix costs {@code start} 0.2-0.5 s of its ~0.5 s; these downcalls cost a few tens of
 * milliseconds (less from the AOT cache). Same semantics as {@link JnrPosix#listenUnix} and
 * {@link JnrPosix#spawnDetached}: the child gets exactly the fds of its {@link SpawnPlan}, no blocked
 * signals and default dispositions. x86_64/aarch64 Linux with glibc.
 */
public final class FfmSpawner {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SUN_PATH_MAX = 108;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128; room to spare.
    private static final long SPAWN_STRUCT_BYTES = 1024;
    private static final long SIGSET_BYTES = 256;

    private static final class Holder {
        static final FfmSpawner INSTANCE = new FfmSpawner();
    }

    private final Linker linker = Linker.nativeLinker();
    private final SymbolLookup libc = linker.defaultLookup();
    private final StructLayout callState = Linker.Option.captureStateLayout();
    private final VarHandle errnoHandle = callState.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private final Linker.Option captureErrno = Linker.Option.captureCallState("errno");

    private final MethodHandle socket = withErrno("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private final MethodHandle bind = withErrno("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private final MethodHandle listen = withErrno("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private final MethodHandle kill = withErrno("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private final MethodHandle close = plain("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private final MethodHandle actionsInit = plain("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final MethodHandle actionsDestroy = plain("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final MethodHandle addDup2 = plain("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private final MethodHandle addOpen = plain("posix_spawn_file_actions_addopen",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private final MethodHandle addClose = plain("posix_spawn_file_actions_addclose", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private final MethodHandle addChdir = plain("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    /** glibc 2.34+; empty on older ones (then the fds open now are closed one by one). */
    private final Optional<MethodHandle> addCloseFrom = libc.find("posix_spawn_file_actions_addclosefrom_np")
            .map(symbol -> linker.downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)));
    private final MethodHandle attrInit = plain("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final MethodHandle attrDestroy = plain("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final MethodHandle attrSetFlags = plain("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private final MethodHandle attrSetSigmask = plain("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private final MethodHandle attrSetSigdefault = plain("posix_spawnattr_setsigdefault",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private final MethodHandle sigemptyset = plain("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final MethodHandle sigfillset = plain("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private final MethodHandle spawnp = plain("posix_spawnp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));

    private FfmSpawner() {}

    /** The process-wide instance, bound on first use. */
    public static FfmSpawner instance() {
        return Holder.INSTANCE;
    }

    /** A close-on-exec Unix stream socket bound at {@code path} and listening; EADDRINUSE when the path exists. */
    public int listenUnix(Path path, int backlog) throws PosixException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_MAX) {
            throw new PosixException("bind", Errno.EINVAL, "socket path longer than " + (SUN_PATH_MAX - 1) + " bytes: " + path);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(callState);
            int fd = (int) socket.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("socket", errno(state), "AF_UNIX");
            }
            // struct sockaddr_un: sa_family_t (native-endian u16) then the NUL-terminated path.
            MemorySegment address = arena.allocate(2 + SUN_PATH_MAX);
            address.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, address, JAVA_BYTE, 2, name.length);
            if ((int) bind.invokeExact(state, fd, address, 2 + name.length + 1) != 0) {
                int errno = errno(state);
                close(fd);
                throw failure("bind", errno, path.toString());
            }
            if ((int) listen.invokeExact(state, fd, backlog) != 0) {
                int errno = errno(state);
                close(fd);
                throw failure("listen", errno, path.toString());
            }
            return fd;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("FFM call failed", t);
        }
    }

    /** posix_spawnp of {@code spec}, which nobody in this JVM waits for; returns the child's pid. */
    public int spawnDetached(SpawnSpec spec) throws PosixException {
        SpawnPlan plan = SpawnPlan.of(spec.fds(), spec.workingDirectory());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(SPAWN_STRUCT_BYTES, 16);
            MemorySegment attributes = arena.allocate(SPAWN_STRUCT_BYTES, 16);
            MemorySegment noSignals = arena.allocate(SIGSET_BYTES, 16);
            MemorySegment allSignals = arena.allocate(SIGSET_BYTES, 16);
            check("posix_spawn_file_actions_init", (int) actionsInit.invokeExact(actions));
            try {
                check("posix_spawnattr_init", (int) attrInit.invokeExact(attributes));
                try {
                    for (SpawnPlan.Action action : plan.actions()) {
                        addAction(arena, actions, action);
                    }
                    int ignored = (int) sigemptyset.invokeExact(noSignals);
                    ignored = (int) sigfillset.invokeExact(allSignals);
                    check("posix_spawnattr_setsigmask", (int) attrSetSigmask.invokeExact(attributes, noSignals));
                    check("posix_spawnattr_setsigdefault", (int) attrSetSigdefault.invokeExact(attributes, allSignals));
                    short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (spec.newSession() ? POSIX_SPAWN_SETSID : 0));
                    check("posix_spawnattr_setflags", (int) attrSetFlags.invokeExact(attributes, flags));

                    MemorySegment pid = arena.allocate(JAVA_INT);
                    MemorySegment argv = strings(arena, spec.argv());
                    MemorySegment envp = strings(arena, spec.environment().entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue()).toList());
                    String program = spec.argv().getFirst();
                    int rc = (int) spawnp.invokeExact(pid, arena.allocateFrom(program), actions, attributes, argv, envp);
                    if (rc != 0) {
                        throw new PosixException("posix_spawnp", rc, "cannot start " + program
                                + spec.workingDirectory().map(d -> " in " + d).orElse("") + ": " + Errno.describe(rc));
                    }
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) attrDestroy.invokeExact(attributes);
                }
            } finally {
                int ignored = (int) actionsDestroy.invokeExact(actions);
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("FFM call failed", t);
        }
    }

    public void close(int fd) {
        try {
            int ignored = (int) close.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("FFM call failed", t);
        }
    }

    /** Fails with ESRCH when no such process exists. */
    public void kill(int pid, int signal) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(callState);
            if ((int) kill.invokeExact(state, pid, signal) != 0) {
                throw failure("kill", errno(state), "pid " + pid);
            }
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("FFM call failed", t);
        }
    }

    private void addAction(Arena arena, MemorySegment actions, SpawnPlan.Action action) throws Throwable {
        switch (action) {
            case SpawnPlan.ChangeDirectory cd -> check("posix_spawn_file_actions_addchdir_np",
                    (int) addChdir.invokeExact(actions, arena.allocateFrom(cd.directory().toString())));
            case SpawnPlan.Dup dup -> check("posix_spawn_file_actions_adddup2",
                    (int) addDup2.invokeExact(actions, dup.from(), dup.to()));
            case SpawnPlan.OpenDevNull open -> check("posix_spawn_file_actions_addopen",
                    (int) addOpen.invokeExact(actions, open.fd(), arena.allocateFrom("/dev/null"), Posix.O_RDWR, 0));
            case SpawnPlan.Close close -> check("posix_spawn_file_actions_addclose", (int) addClose.invokeExact(actions, close.fd()));
            case SpawnPlan.CloseFrom from -> {
                if (addCloseFrom.isPresent()) {
                    check("posix_spawn_file_actions_addclosefrom_np", (int) addCloseFrom.get().invokeExact(actions, from.lowFd()));
                } else {
                    for (int fd : SpawnPlan.openFds()) {
                        if (fd >= from.lowFd()) {
                            check("posix_spawn_file_actions_addclose", (int) addClose.invokeExact(actions, fd));
                        }
                    }
                }
            }
        }
    }

    /** A NULL-terminated char*[] of {@code values}. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }


    private static void check(String call, int rc) throws PosixException {
        if (rc != 0) {
            throw new PosixException(call, rc, Errno.describe(rc));
        }
    }

    private int errno(MemorySegment state) {
        return (int) errnoHandle.get(state, 0L);
    }

    private static PosixException failure(String call, int errno, String what) {
        return new PosixException(call, errno, what + ": " + Errno.describe(errno));
    }

    private MethodHandle plain(String name, FunctionDescriptor descriptor) {
        return linker.downcallHandle(libc.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), descriptor);
    }

    private MethodHandle withErrno(String name, FunctionDescriptor descriptor) {
        return linker.downcallHandle(libc.find(name).orElseThrow(() -> new UnsatisfiedLinkError(name)), descriptor, captureErrno);
    }
}
