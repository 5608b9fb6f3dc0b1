package io.jrunc.shim;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.SpawnSpec;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code start} action: make sure a daemon listens for this container's group and return its
 * address. Binds the socket itself and hands it to a new daemon as fd 3, so containerd can connect
 * the moment the address is printed (requests wait in the backlog while the daemon's JVM boots).
 */
final class StartAction {
    static final int BACKLOG = 128;
    static final Duration PROBE_TIMEOUT = Duration.ofMillis(100);
    static final int DAEMON_FD = 3;

    private final Posix posix;
    private final ShimRuntime runtime;
    private final List<String> daemonCommand;
    private final Path socketDir;
    private final Supplier<byte[]> stdin;

    /**
     * @param daemonCommand the program (and leading arguments) that runs this shim; the daemon's flags are appended
     * @param stdin what containerd wrote to our stdin, read after the daemon is spawned
     */
    StartAction(Posix posix, ShimRuntime runtime, List<String> daemonCommand, Path socketDir, Supplier<byte[]> stdin) {
        this.posix = posix;
        this.runtime = runtime;
        this.daemonCommand = List.copyOf(daemonCommand);
        this.socketDir = socketDir;
        this.stdin = stdin;
    }

    /** Returns the address to print. */
    ShimSocketAddress run(ShimFlags flags) throws Exception {
        Path bundle = flags.bundle();
        String group = ShimSocketAddress.groupingKey(bundle, flags.id());
        ShimSocketAddress address = ShimSocketAddress.of(socketDir, flags.address(), flags.namespace(), group);
        checkLength(address);

        int listener;
        try {
            listener = listen(address.path());
        } catch (PosixException e) {
            if (e.errno() != Errno.EADDRINUSE) {
                throw e;
            }
            if (canConnect(address.path())) {
                AddressFile.write(bundle, address); // the group's daemon is alive: join it
                return address;
            }
            Files.deleteIfExists(address.path()); // stale socket of a dead daemon
            listener = listen(address.path());
        }

        int daemonPid;
        try {
            AddressFile.write(bundle, address);
            daemonPid = posix.spawnDetached(new SpawnSpec(daemonArgv(flags, address), System.getenv(),
                    Optional.of(bundle), Map.of(DAEMON_FD, listener), true));
        } catch (Exception e) {
            Files.deleteIfExists(address.path());
            throw e;
        } finally {
            posix.close(listener);
        }
        try {
            runtime.daemonStarted(flags, daemonPid, stdin.get());
        } catch (Exception e) {
            killQuietly(daemonPid);
            Files.deleteIfExists(address.path());
            throw e;
        }
        OomScore.adjust(daemonPid, posix.parentPid());
        return address;
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
        int fd = posix.listenUnix(socket, BACKLOG);
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            posix.close(fd);
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

    private void killQuietly(int pid) {
        try {
            posix.kill(pid, Posix.SIGKILL);
        } catch (PosixException ignored) {
            // already gone
        }
    }
}
