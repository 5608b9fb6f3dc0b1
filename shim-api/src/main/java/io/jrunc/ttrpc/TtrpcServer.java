package io.jrunc.ttrpc;

import io.jrunc.posix.UnixSockets;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A ttrpc server on a Unix domain socket, on the shared {@link TtrpcEventLoop}.
 *
 * <p>Handlers run off the event loop on a virtual thread each (by default): shim handlers block
 * (runc calls, {@code Wait} for as long as a process lives), a shim may have hundreds of {@code Wait}
 * calls parked at once, and a parked virtual thread keeps its small stack on the heap where a
 * platform thread holds a whole native stack. Handlers should not sit in long native calls (a JNI call pins the carrier
 * thread); pass a platform-thread pool to the overloads taking an {@link ExecutorService} if they
 * must.
 *
 * <p>Requests on one connection run concurrently and are answered as they finish. A request's
 * {@code timeout_nano} is honoured (zero or negative means none, as in ttrpc): when it passes the
 * client gets DEADLINE_EXCEEDED and the handler thread is interrupted; the same happens when the
 * connection closes. Only peers running as our effective uid and gid may connect.
 *
 * <p>One daemon serves many peers, so none may hurt the others: a connection whose peer stops
 * reading its answers stops being read (see {@link ServerConnection}), and the listen backlog is
 * {@link ListenBacklog#value()} so a burst of connects is queued rather than refused.
 */
public final class TtrpcServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(TtrpcServer.class.getName());

    /** How long {@link #close()} lets running calls finish before it closes their connections. */
    public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(2);

    private final RequestResolver resolver;
    private final ExecutorService handlers;
    private final boolean ownsHandlers;
    private final ProcessCredentials allowedPeer = ProcessCredentials.effective();
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile Channel listener;

    private TtrpcServer(ServiceRegistry registry, ExecutorService handlers, boolean ownsHandlers) {
        this.resolver = new RequestResolver(registry);
        this.handlers = handlers;
        this.ownsHandlers = ownsHandlers;
    }

    /**
     * Creates the socket at {@code socketPath} (and missing parent directories), listens, and makes
     * the socket mode 0600. The socket file is removed again when the server closes.
     *
     * @throws UncheckedIOException if the socket cannot be created; if any file already exists at
     *     the path the cause is a {@link BindException} "Address already in use" (the caller decides
     *     whether it is a stale socket to remove; there is a tiny check-then-bind window)
     */
    public static TtrpcServer bind(Path socketPath, ServiceRegistry registry) {
        return bind(socketPath, registry, newHandlerExecutor(), true);
    }

    /** As {@link #bind(Path, ServiceRegistry)}, running handlers on {@code handlers} (not shut down by close). */
    public static TtrpcServer bind(Path socketPath, ServiceRegistry registry, ExecutorService handlers) {
        return bind(socketPath, registry, handlers, false);
    }

    /**
     * Serves on an already-listening Unix socket inherited from the parent (the shim daemon's fd 3).
     * Closing the server closes the fd but does not unlink the socket file (its path is unknown here).
     */
    public static TtrpcServer adopt(int listeningFd, ServiceRegistry registry) {
        return adopt(listeningFd, registry, newHandlerExecutor(), true);
    }

    /** As {@link #adopt(int, ServiceRegistry)}, running handlers on {@code handlers} (not shut down by close). */
    public static TtrpcServer adopt(int listeningFd, ServiceRegistry registry, ExecutorService handlers) {
        return adopt(listeningFd, registry, handlers, false);
    }

    private static TtrpcServer adopt(int listeningFd, ServiceRegistry registry, ExecutorService handlers, boolean owns) {
        if (listeningFd < 0) {
            throw new IllegalArgumentException("invalid file descriptor " + listeningFd);
        }
        TtrpcServer server = new TtrpcServer(registry, handlers, owns);
        try {
            ChannelFuture registered = server.bootstrap()
                    .channelFactory(() -> new EpollServerDomainSocketChannel(listeningFd, true))
                    .register();
            server.start(await(registered, "cannot serve on inherited fd " + listeningFd));
            raiseBacklog(listeningFd);
            return server;
        } catch (RuntimeException e) {
            server.releaseHandlers();
            throw e;
        }
    }

    /**
     * Whoever listened on an inherited socket may have chosen a short backlog; listen(2) again on a
     * listening socket only updates it. Best effort: a socket that refuses keeps serving as it was.
     */
    private static void raiseBacklog(int listeningFd) {
        try {
            new Socket(listeningFd).listen(ListenBacklog.value()); // a view of the fd: not closed here
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "ttrpc: cannot raise the listen backlog of fd {0}: {1}", listeningFd, e.toString());
        }
    }

    private static TtrpcServer bind(Path socketPath, ServiceRegistry registry, ExecutorService handlers, boolean owns) {
        Path path = socketPath.toAbsolutePath();
        int length = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length >= UnixSockets.SUN_PATH_MAX) {
            String message = "socket path is " + length + " bytes, the kernel limit is "
                    + (UnixSockets.SUN_PATH_MAX - 1) + ": " + path;
            throw new UncheckedIOException(message, new IOException(message));
        }
        try {
            Path parent = path.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory of " + path, e);
        }
        // Netty's native bind unlinks whatever is at the path first, which would silently steal the
        // socket of a live server; refuse instead, like bind(2) does, and let the caller judge staleness.
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new UncheckedIOException("cannot listen on " + path + ": Address already in use",
                    new BindException("Address already in use: " + path));
        }
        TtrpcServer server = new TtrpcServer(registry, handlers, owns);
        try {
            ChannelFuture bound = server.bootstrap()
                    .channel(EpollServerDomainSocketChannel.class)
                    .bind(new DomainSocketAddress(path.toString()));
            Channel channel = await(bound, "cannot listen on " + path);
            try {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                channel.close();
                throw new UncheckedIOException("cannot chmod 0600 " + path, e);
            }
            server.start(channel);
            return server;
        } catch (RuntimeException e) {
            server.releaseHandlers();
            throw e;
        }
    }

    private static ExecutorService newHandlerExecutor() {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ttrpc-handler-", 0).factory());
    }

    private ServerBootstrap bootstrap() {
        EventLoopGroup loop = TtrpcEventLoop.group();
        return new ServerBootstrap()
                .group(TtrpcEventLoop.acceptor(), loop)
                .option(ChannelOption.SO_BACKLOG, ListenBacklog.value())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ServerConnection.WATER_MARK)
                .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) {
                        ServerConnection connection = new ServerConnection(resolver, handlers);
                        ch.pipeline().addLast(new PeerCredentialsCheck(allowedPeer), new FrameDecoder(),
                                FrameEncoder.INSTANCE, connection, new ConnectionTracker(connection));
                    }
                });
    }

    /** Counts a connection once the credential check let it through; drains it if we are closing. */
    private final class ConnectionTracker extends ChannelInboundHandlerAdapter {
        private final ServerConnection connection;

        ConnectionTracker(ServerConnection connection) {
            this.connection = connection;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            connections.add(ch);
            ch.closeFuture().addListener(f -> {
                connections.remove(ch);
                completeIfClosed();
            });
            if (closing.get()) {
                connection.drain();
            }
            ctx.fireChannelActive();
        }
    }

    private void start(Channel channel) {
        listener = channel;
        channel.closeFuture().addListener(f -> {
            if (!closing.get()) {
                LOG.log(Level.ERROR, "ttrpc: listener {0} closed unexpectedly; shutting the server down", channel);
                beginClose(DEFAULT_CLOSE_GRACE);
            }
            completeIfClosed();
        });
    }

    private static Channel await(ChannelFuture future, String what) {
        future.awaitUninterruptibly();
        if (future.isSuccess()) {
            return future.channel();
        }
        Throwable cause = future.cause();
        if (future.channel().isRegistered()) {
            future.channel().close();
        } // else registration failed: the fd is not usable by us, and closing a number we do not own is unsafe
        IOException io = cause instanceof IOException e ? e : new IOException(cause);
        throw new UncheckedIOException(what + ": " + cause.getMessage(), io);
    }

    /** Completes when the listener and every connection are closed. */
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    /** Connections currently open (after the peer-credential check). */
    public int activeConnections() {
        return connections.size();
    }

    /** What each open connection holds (calls, buffered answers), gathered on the event loop; for tests. */
    List<ServerConnection.Stats> connectionStats() {
        List<ServerConnection.Stats> stats = new ArrayList<>();
        for (Channel ch : connections) {
            ServerConnection connection = ch.pipeline().get(ServerConnection.class);
            if (connection != null) {
                try {
                    stats.add(ch.eventLoop().submit(connection::stats).get(5, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException | TimeoutException e) {
                    // closed meanwhile: nothing held
                }
            }
        }
        return stats;
    }

    /** Stops accepting, lets running calls answer for up to {@link #DEFAULT_CLOSE_GRACE}, closes everything. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_GRACE);
    }

    /**
     * Stops accepting at once; each connection closes as soon as its running calls have answered
     * (their responses flushed), and all are closed after {@code grace}. Waits for that, except when
     * called from a ttrpc handler or the event loop (e.g. by a Shutdown handler), where waiting would
     * hold up the very response being sent: then it returns at once and {@link #closeFuture()} tells
     * when it is done.
     */
    public void close(Duration grace) {
        beginClose(grace);
        if (ServerCall.onHandlerThread() || TtrpcEventLoop.inEventLoop()) {
            return;
        }
        try {
            closed.get(grace.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.WARNING, "ttrpc: server did not close cleanly: {0}", e.toString());
        }
    }

    private void beginClose(Duration grace) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        Channel l = listener;
        if (l != null) {
            l.close();
        }
        for (Channel ch : connections) {
            ServerConnection connection = ch.pipeline().get(ServerConnection.class);
            if (connection != null) {
                connection.drain();
            } else {
                ch.close();
            }
        }
        TtrpcEventLoop.group().schedule(() -> {
            for (Channel ch : connections) {
                ch.close();
            }
        }, grace.toNanos(), TimeUnit.NANOSECONDS);
        completeIfClosed();
    }

    private void completeIfClosed() {
        Channel l = listener;
        if (closing.get() && (l == null || !l.isOpen()) && connections.isEmpty() && !closed.isDone()) {
            releaseHandlers();
            closed.complete(null);
        }
    }

    private void releaseHandlers() {
        if (ownsHandlers) {
            handlers.shutdown();
        }
    }
}
