package io.jrunc.shim;

import io.jrunc.posix.ChildReaper;
import io.jrunc.posix.JnrPosix;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.shim.event.EventPublisher;
import io.jrunc.shim.event.ForwardingEventPublisher;
import io.jrunc.shim.host.FrameworkProbes;
import io.jrunc.shim.host.HostProbe;
import io.jrunc.shim.host.HostRequirement;
import io.jrunc.shim.log.FifoLogAppender;
import io.jrunc.shim.log.JulBridge;
import io.jrunc.shim.log.ShimLog;
import io.jrunc.shim.task.TaskService;
import io.jrunc.shim.task.TaskServiceBinding;
import io.jrunc.ttrpc.ServiceRegistry;
import io.jrunc.ttrpc.TtrpcServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The daemon (no action): subreaper, log to a served bundle's fifo, reaper, event publisher, the
 * runtime's Task service (inside {@link SupervisedTaskService}) on ttrpc (inherited fd 3, or
 * {@code -socket}), its state file next to the socket, until Shutdown (after the linger of a shared
 * daemon, see {@link DaemonExit}) or SIGTERM/SIGINT. Then: remove the state and socket files, stop
 * serving (running calls still answer), deliver queued events, exit 0.
 */
final class ServeAction {
    private static final System.Logger LOG = System.getLogger(ServeAction.class.getName());
    static final int LOG_QUEUE = 1024;

    private final ShimRuntime runtime;

    ServeAction(ShimRuntime runtime) {
        this.runtime = runtime;
    }

    int run(ShimFlags flags) throws Exception {
        JnrPosix posix = JnrPosix.instance();
        ContainerLogs log = new ContainerLogs(fifo -> openLog(posix, fifo).map(ContainerLogs.Fifo::of), flags.id(), flags.bundle());
        ShimLog.install(log, flags.debug() ? Level.DEBUG : Level.INFO);
        JulBridge.install();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) ->
                LOG.log(Level.ERROR, "uncaught exception in thread " + thread.getName(), e));
        LOG.log(Level.INFO, "starting shim daemon pid={0} namespace={1} id={2}", posix.pid(), flags.namespace(), flags.id());

        CompletableFuture<String> exit = new CompletableFuture<>();
        ExitSignals.install(exit);
        // The socket to remove on exit; read now, the bundle may be gone by then.
        Optional<Path> socketFile = flags.socket().or(() -> AddressFile.read(flags.bundle()).map(ShimSocketAddress::path));
        Optional<DaemonStateFile> stateFile = socketFile.map(DaemonStateFile::of);
        DaemonExit.Presence presence = presence(stateFile);
        ShimSettings settings = settings();
        Duration linger = linger(settings);
        DaemonExit lifecycle = new DaemonExit(exit, linger, DaemonExit.RETIRE_GRACE, presence);
        DaemonRoster roster = new DaemonRoster(socketFile.map(DaemonStatusFile::of),
                new DaemonStatusFile.Status(ProcessHandle.current().pid(), flags.namespace(), runtime.version(),
                        System.currentTimeMillis(), settings.grouping().word(), settings.maxContainers(), linger.toMillis(),
                        socketFile.map(Path::toString).orElse(""), flags.address(), List.of()),
                socketFile.filter(f -> settings.bounded()).map(DaemonSlots::of), java.time.Clock.systemUTC());

        posix.becomeChildSubreaper();
        ChildReaper reaper = ChildReaper.start(posix);
        EventPublisher events = new ForwardingEventPublisher(ttrpcAddress(flags), flags.namespace());
        TtrpcServer server = null;
        try {
            List<HostRequirement> host = checkHost(posix);
            TaskService tasks = new SupervisedTaskService(
                    runtime.createTaskService(new ShimContext(flags, events, reaper, lifecycle)), lifecycle, List.of(log, roster),
                    host);
            ServiceRegistry registry = TaskServiceBinding.bind(ServiceRegistry.builder(), tasks).build();
            server = flags.socket().isPresent()
                    ? TtrpcServer.bind(flags.socket().get(), registry)
                    : TtrpcServer.adopt(StartAction.DAEMON_FD, registry);
            server.closeFuture().thenRun(() -> exit.complete("server closed"));
            roster.publish();
            presence.serving();
            LOG.log(Level.INFO, "serving on {0}", socketFile.map(Path::toString).orElse("fd " + StartAction.DAEMON_FD));

            String reason = exit.join();
            LOG.log(Level.INFO, "shim daemon exiting: {0}", reason);
            return 0;
        } catch (Exception e) {
            LOG.log(Level.ERROR, "shim daemon failed", e);
            throw e;
        } finally {
            // Names first: a new daemon may take them at once, while running calls still get their answers.
            stateFile.ifPresent(f -> f.removeIfOwnedBy(ProcessHandle.current().pid()));
            roster.withdraw();
            socketFile.ifPresent(ServeAction::removeSocket);
            if (server != null) {
                server.close();
                LOG.log(Level.DEBUG, "ttrpc server closed");
            }
            events.close();
            LOG.log(Level.DEBUG, "event publisher closed");
            reaper.close();
            LOG.log(Level.DEBUG, "reaper stopped");
            log.close();
        }
    }

    /** The framework's and the runtime's host probes; what is missing is logged once and refuses every Create. */
    private List<HostRequirement> checkHost(Posix posix) {
        List<HostRequirement> host = HostProbe.runAll(hostProbes(runtime, posix));
        host.stream().filter(r -> !r.met()).forEach(r ->
                LOG.log(Level.ERROR, "host requirement missing, containers will be refused: {0}: {1}", r.name(), r.detail()));
        return host;
    }

    static List<HostProbe> hostProbes(ShimRuntime runtime, Posix posix) {
        List<HostProbe> probes = new ArrayList<>(FrameworkProbes.of(posix));
        probes.addAll(runtime.hostProbes(posix));
        return probes;
    }

    /** The settings {@code start} resolved for this daemon and passed in the environment. */
    private static ShimSettings settings() {
        try {
            return ShimSettings.resolve(Map.of(), System.getenv());
        } catch (ShimUsageException e) {
            LOG.log(Level.WARNING, "unreadable settings, serving with the defaults: " + e.getMessage());
            return new ShimSettings(ShimSettings.DEFAULT_GROUPING, 0, Optional.of("0"), "fallback");
        }
    }

    /** The linger of this daemon; none when unreadable. */
    private static Duration linger(ShimSettings settings) {
        try {
            return settings.lingerDuration();
        } catch (ShimUsageException e) {
            LOG.log(Level.WARNING, "no idle linger: " + e.getMessage());
            return Duration.ZERO;
        }
    }

    /** The daemon's state file: written while it serves, marked while it retires. */
    private static DaemonExit.Presence presence(Optional<DaemonStateFile> stateFile) {
        return new DaemonExit.Presence() {
            @Override
            public void serving() {
                publish(false);
            }

            @Override
            public void retiring() {
                publish(true);
            }

            private void publish(boolean retiring) {
                if (stateFile.isEmpty()) {
                    return;
                }
                DaemonStateFile file = stateFile.get();
                DaemonStateFile.State self = DaemonStateFile.self(retiring);
                if (file.read().equals(Optional.of(self))) {
                    return;
                }
                try {
                    file.write(self);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot write " + file.path() + ": " + e.getMessage());
                }
            }
        };
    }

    /** containerd's ttrpc socket; the env var is how 1.6-2.2 tell us, its default is the gRPC socket + ".ttrpc". */
    static Path ttrpcAddress(ShimFlags flags) {
        String fromEnv = System.getenv("TTRPC_ADDRESS");
        String address = fromEnv == null || fromEnv.isBlank() ? flags.address() + ".ttrpc" : fromEnv.strip();
        return Path.of(address.startsWith("unix://") ? address.substring("unix://".length()) : address);
    }

    private static Optional<FifoLogAppender> openLog(JnrPosix posix, Path fifo) {
        try {
            return Optional.of(FifoLogAppender.open(posix, fifo, LOG_QUEUE));
        } catch (PosixException e) {
            return Optional.empty(); // no reader (not run by containerd): log nowhere rather than block
        }
    }

    private static void removeSocket(Path socket) {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove socket {0}: {1}", socket, e.getMessage());
        }
    }
}
