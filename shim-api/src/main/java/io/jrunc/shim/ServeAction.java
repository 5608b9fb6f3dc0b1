package io.jrunc.shim;

import io.jrunc.posix.ChildReaper;
import io.jrunc.posix.JnrPosix;
import io.jrunc.posix.PosixException;
import io.jrunc.shim.event.EventPublisher;
import io.jrunc.shim.event.ForwardingEventPublisher;
import io.jrunc.shim.log.FifoLogAppender;
import io.jrunc.shim.log.JulBridge;
import io.jrunc.shim.log.LogSink;
import io.jrunc.shim.log.ShimLog;
import io.jrunc.shim.task.TaskService;
import io.jrunc.shim.task.TaskServiceBinding;
import io.jrunc.ttrpc.ServiceRegistry;
import io.jrunc.ttrpc.TtrpcServer;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The daemon (no action): subreaper, log to the bundle's fifo, reaper, event publisher, the
 * runtime's Task service on ttrpc (inherited fd 3, or {@code -socket}), until Shutdown or
 * SIGTERM/SIGINT. Then: stop serving (running calls still answer), remove the socket file, deliver
 * queued events, exit 0.
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
        Optional<FifoLogAppender> log = openLog(posix, flags.bundle().resolve("log"));
        ShimLog.install(log.<LogSink>map(l -> l).orElse(LogSink.DISCARD), flags.debug() ? Level.DEBUG : Level.INFO);
        JulBridge.install();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) ->
                LOG.log(Level.ERROR, "uncaught exception in thread " + thread.getName(), e));
        LOG.log(Level.INFO, "starting shim daemon pid={0} namespace={1} id={2}", posix.pid(), flags.namespace(), flags.id());

        CompletableFuture<String> exit = new CompletableFuture<>();
        ExitSignals.install(exit);
        // The socket to remove on exit; read now, the bundle may be gone by then.
        Optional<Path> socketFile = flags.socket().or(() -> AddressFile.read(flags.bundle()).map(ShimSocketAddress::path));

        posix.becomeChildSubreaper();
        ChildReaper reaper = ChildReaper.start(posix);
        EventPublisher events = new ForwardingEventPublisher(ttrpcAddress(flags), flags.namespace());
        TtrpcServer server = null;
        try {
            ShimContext.DaemonLifecycle lifecycle = new ShimContext.DaemonLifecycle() {
                @Override
                public void requestExit() {
                    exit.complete("shutdown requested");
                }

                @Override
                public long pid() {
                    return ProcessHandle.current().pid();
                }
            };
            TaskService tasks = runtime.createTaskService(new ShimContext(flags, events, reaper, lifecycle));
            ServiceRegistry registry = TaskServiceBinding.bind(ServiceRegistry.builder(), tasks).build();
            server = flags.socket().isPresent()
                    ? TtrpcServer.bind(flags.socket().get(), registry)
                    : TtrpcServer.adopt(StartAction.DAEMON_FD, registry);
            server.closeFuture().thenRun(() -> exit.complete("server closed"));
            LOG.log(Level.INFO, "serving on {0}", socketFile.map(Path::toString).orElse("fd " + StartAction.DAEMON_FD));

            String reason = exit.join();
            LOG.log(Level.INFO, "shim daemon exiting: {0}", reason);
            return 0;
        } catch (Exception e) {
            LOG.log(Level.ERROR, "shim daemon failed", e);
            throw e;
        } finally {
            if (server != null) {
                server.close();
                LOG.log(Level.DEBUG, "ttrpc server closed");
            }
            socketFile.ifPresent(ServeAction::removeSocket);
            events.close();
            LOG.log(Level.DEBUG, "event publisher closed");
            reaper.close();
            LOG.log(Level.DEBUG, "reaper stopped");
            log.ifPresent(FifoLogAppender::close);
        }
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
