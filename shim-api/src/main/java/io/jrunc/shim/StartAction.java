package io.jrunc.shim;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.SpawnSpec;
import io.jrunc.ttrpc.ListenBacklog;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The {@code start} action: make sure a daemon listens for this container's group and return its
 * address. The group follows {@link ShimSettings#grouping()}. A live daemon of the group is joined
 * (its address written to the bundle); otherwise this binds the socket itself and hands it to a new
 * daemon as fd 3, so containerd can connect the moment the address is printed (requests wait in the
 * backlog while the daemon's JVM boots), and writes the daemon's {@link DaemonStateFile} so that
 * the next {@code start} of the group joins it without a JVM (see the launcher script).
 */
final class StartAction {
    /** Daemons of one namespace when {@code max-containers} bounds them; more means something is wrong. */
    static final int MAX_BOUNDED_DAEMONS = 10_000;
    static final Duration PROBE_TIMEOUT = Duration.ofMillis(100);
    static final int DAEMON_FD = 3;
    static final int MAX_BIND_ATTEMPTS = 5;
    /** How long to wait for a retiring daemon to go before joining it after all. */
    static final Duration RETIRING_WAIT = DaemonExit.RETIRE_GRACE.plusSeconds(2);

    private final Supplier<StartCalls> kernel;
    private final ShimRuntime runtime;
    private final List<String> daemonCommand;
    private final Path socketDir;
    private final Supplier<byte[]> stdin;
    private final Map<String, String> environment;

    /**
     * @param kernel the kernel calls, bound only when a daemon must be started
     * @param daemonCommand the program (and leading arguments) that runs this shim; the daemon's flags are appended
     * @param stdin what containerd wrote to our stdin, read once before the socket is named
     * @param environment ours (containerd's): settings are read from it and the daemon inherits it
     */
    StartAction(Supplier<StartCalls> kernel, ShimRuntime runtime, List<String> daemonCommand, Path socketDir,
            Supplier<byte[]> stdin, Map<String, String> environment) {
        this.kernel = kernel;
        this.runtime = runtime;
        this.daemonCommand = List.copyOf(daemonCommand);
        this.socketDir = socketDir;
        this.stdin = stdin;
        this.environment = Map.copyOf(environment);
    }

    /** Returns the address to print. */
    ShimSocketAddress run(ShimFlags flags) throws Exception {
        Path bundle = flags.bundle();
        Map<String, Object> annotations = BundleAnnotations.read(bundle);
        ShimSettings settings = ShimSettings.resolve(annotations, environment);
        byte[] input = stdin.get();
        if (!settings.bounded()) {
            String group = qualified(settings.grouping(), settings.grouping().key(annotations, flags.id(), runtime), input);
            ShimSocketAddress address = ShimSocketAddress.of(socketDir, flags.address(), flags.namespace(), group);
            checkLength(address);
            return joinOrSpawn(flags, settings, address, input);
        }
        ShimSocketAddress address = reservePlace(flags, settings.maxContainers(), input);
        try {
            return joinOrSpawn(flags, settings, address, input);
        } catch (Exception e) {
            DaemonSlots.of(address.path()).release(flags.id());
            throw e;
        }
    }

    /**
     * A place for the container in the first of the namespace's bounded daemons (of its shim cgroup, if any)
     * that has one (see {@link DaemonSlots}); returns that daemon's address.
     */
    private ShimSocketAddress reservePlace(ShimFlags flags, int maxContainers, byte[] input) throws Exception {
        for (int index = 0; index < MAX_BOUNDED_DAEMONS; index++) {
            ShimSocketAddress address = ShimSocketAddress.of(socketDir, flags.address(), flags.namespace(),
                    qualified(Grouping.NAMESPACE, Grouping.sharedKey(index), input));
            checkLength(address);
            if (DaemonSlots.of(address.path()).reserve(flags.id(), maxContainers).isPresent()) {
                return address;
            }
        }
        throw new IOException("every one of " + MAX_BOUNDED_DAEMONS + " daemons of namespace " + flags.namespace()
                + " serves max-containers=" + maxContainers + " containers");
    }

    private ShimSocketAddress joinOrSpawn(ShimFlags flags, ShimSettings settings, ShimSocketAddress address, byte[] input)
            throws Exception {
        Path bundle = flags.bundle();
        DaemonStateFile state = DaemonStateFile.of(address.path());

        OptionalInt listener = bindUnlessServed(address, state);
        if (listener.isEmpty()) {
            AddressFile.write(bundle, address); // the group's daemon is alive: join it
            return address;
        }
        int daemonPid = spawnDaemon(flags, settings, address, listener.getAsInt());
        try {
            runtime.daemonStarted(flags, daemonPid, input); // first: joiners find it placed (e.g. in its cgroup)
            // Bursts of starts join the booting daemon without a JVM; it rewrites the file once it serves.
            DaemonStateFile.stateOf(daemonPid).ifPresent(s -> writeQuietly(state, s));
        } catch (Exception e) {
            killQuietly(kernel.get(), daemonPid);
            state.removeIfOwnedBy(daemonPid);
            Files.deleteIfExists(address.path());
            throw e;
        }
        ProcessHandle.current().parent().ifPresent(containerd -> OomScore.adjust(daemonPid, (int) containerd.pid()));
        return address;
    }

    /** A namespace daemon's key with the runtime's qualifier (e.g. its shim cgroup), if any. */
    private String qualified(Grouping grouping, String key, byte[] input) throws Exception {
        if (grouping != Grouping.NAMESPACE) {
            return key; // pod and container: the first container's options place the daemon, as in the Go shim
        }
        return runtime.groupingQualifier(input).map(q -> key + "@" + q).orElse(key);
    }

    /**
     * The socket bound for a new daemon, or empty when a live daemon serves it. A retiring daemon is waited
     * out, a dead one's socket replaced.
     */
    private OptionalInt bindUnlessServed(ShimSocketAddress address, DaemonStateFile state) throws Exception {
        for (int attempt = 1; attempt <= MAX_BIND_ATTEMPTS; attempt++) {
            if (servingDaemon(state) && canConnect(address.path())) {
                return OptionalInt.empty(); // decided without binding anything
            }
            Optional<Integer> bound = tryListen(address.path());
            if (bound.isPresent()) {
                return OptionalInt.of(bound.get());
            }
            if (awaitRetired(address.path(), state)) {
                continue; // the retiring daemon is gone: start a new one
            }
            if (canConnect(address.path())) {
                return OptionalInt.empty(); // a daemon without state file yet (booting) or outstaying its retirement
            }
            Files.deleteIfExists(address.path()); // stale socket of a dead daemon
            state.removeIfStale();
        }
        throw new IOException("cannot bind " + address.path() + ": other shims keep taking the name");
    }

    /** Spawns the daemon on {@code listener} (closed here either way); returns its pid. */
    private int spawnDaemon(ShimFlags flags, ShimSettings settings, ShimSocketAddress address, int listener) throws Exception {
        StartCalls calls = kernel.get();
        try {
            Duration linger = settings.lingerDuration(); // read only for a new daemon, as the script does
            AddressFile.write(flags.bundle(), address);
            return calls.spawnDetached(new SpawnSpec(daemonArgv(flags, address), daemonEnvironment(settings, linger),
                    Optional.of(flags.bundle()), Map.of(DAEMON_FD, listener), true));
        } catch (Exception e) {
            Files.deleteIfExists(address.path());
            throw e;
        } finally {
            calls.close(listener);
        }
    }

    /** The daemon's environment: ours, plus the settings resolved here, so it needs neither annotations nor the config file. */
    private Map<String, String> daemonEnvironment(ShimSettings settings, Duration linger) {
        Map<String, String> env = new HashMap<>(environment);
        env.put(ShimSettings.GROUPING_ENV, settings.grouping().word());
        env.put(ShimSettings.LINGER_ENV, linger.toMillis() + "ms");
        env.put(ShimSettings.MAX_CONTAINERS_ENV, Integer.toString(settings.maxContainers()));
        return env;
    }

    /** The bound listener, or empty when the path is taken (EADDRINUSE). */
    private Optional<Integer> tryListen(Path socket) throws PosixException, IOException {
        try {
            return Optional.of(listen(socket));
        } catch (PosixException e) {
            if (e.errno() != Errno.EADDRINUSE) {
                throw e;
            }
            return Optional.empty();
        }
    }

    /**
     * When the group's daemon is retiring (idle past its linger, about to exit), waits until it is gone
     * and returns true; returns false at once for any other daemon, and when it revives or outstays
     * {@link #RETIRING_WAIT} (then it is joined like a live one).
     */
    static boolean awaitRetired(Path socket, DaemonStateFile state) throws InterruptedException {
        long deadline = System.nanoTime() + RETIRING_WAIT.toNanos();
        boolean waited = false;
        while (true) {
            Optional<DaemonStateFile.State> current = state.read();
            if (current.isEmpty() || !current.get().retiring() || !current.get().alive()) {
                return waited && !Files.exists(socket);
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            waited = true;
            Thread.sleep(20);
        }
    }

    private static boolean servingDaemon(DaemonStateFile state) {
        return state.read().map(s -> !s.retiring() && s.alive()).orElse(false);
    }

    private static void writeQuietly(DaemonStateFile file, DaemonStateFile.State state) {
        try {
            file.write(state);
        } catch (IOException ignored) {
            // starts of the group take the JVM path until the daemon writes it
        }
    }

    private List<String> daemonArgv(ShimFlags flags, ShimSocketAddress address) {
        List<String> argv = new ArrayList<>(daemonCommand);
        argv.addAll(List.of("-namespace", flags.namespace(), "-id", flags.id(), "-address", flags.address()));
        if (flags.debug()) {
            argv.add("-debug");
        }
        return argv;
    }

    private int listen(Path socket) throws PosixException, IOException {
        Files.createDirectories(socket.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        StartCalls calls = kernel.get();
        int fd = calls.listenUnix(socket, ListenBacklog.value());
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            calls.close(fd);
            Files.deleteIfExists(socket);
            throw e;
        }
        return fd;
    }

    private static void checkLength(ShimSocketAddress address) throws IOException {
        int length = address.path().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (length > ShimSocketAddress.MAX_PATH_BYTES) {
            throw new IOException("socket path " + address.path() + " is " + length + " bytes, longer than the limit of "
                    + ShimSocketAddress.MAX_PATH_BYTES);
        }
    }

    /** Whether something accepts connections on {@code socket} within {@link #PROBE_TIMEOUT}. */
    static boolean canConnect(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.configureBlocking(false);
            if (channel.connect(UnixDomainSocketAddress.of(socket))) {
                return true;
            }
            try (Selector selector = Selector.open()) {
                channel.register(selector, SelectionKey.OP_CONNECT);
                return selector.select(PROBE_TIMEOUT.toMillis()) > 0 && channel.finishConnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static void killQuietly(StartCalls calls, int pid) {
        try {
            calls.kill(pid, Posix.SIGKILL);
        } catch (PosixException ignored) {
            // already gone
        }
    }
}
