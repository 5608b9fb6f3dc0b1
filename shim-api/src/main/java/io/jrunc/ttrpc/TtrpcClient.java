package io.jrunc.ttrpc;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.jrunc.proto.ttrpc.Request;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A ttrpc client over one Unix socket connection, on the shared {@link TtrpcEventLoop}. Thread-safe;
 * any number of calls may be in flight. Stream ids are odd, from 1, +2 per call.
 *
 * <p>Futures returned by {@link #callAsync} complete on the event loop thread: dependent stages
 * must not block (use the {@code *Async} variants for blocking work).
 */
public final class TtrpcClient implements AutoCloseable {

    private static final String UNIX_SCHEME = "unix://";
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Channel channel;
    private final ClientConnection connection;
    /** Next odd stream id; used on the event loop only. */
    private int nextStreamId = 1;

    private TtrpcClient(Channel channel, ClientConnection connection) {
        this.channel = channel;
        this.connection = connection;
    }

    /** Connects to {@code socketPath}; fails at once if nothing listens there. */
    public static TtrpcClient connect(Path socketPath) throws IOException {
        ClientConnection connection = new ClientConnection();
        ChannelFuture connected = new Bootstrap()
                .group(TtrpcEventLoop.group())
                .channel(EpollDomainSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel ch) {
                        ch.pipeline().addLast(new FrameDecoder(), FrameEncoder.INSTANCE, connection);
                    }
                })
                .connect(new DomainSocketAddress(socketPath.toString()));
        try {
            connected.await();
        } catch (InterruptedException e) {
            connected.channel().close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + socketPath);
        }
        if (!connected.isSuccess()) {
            connected.channel().close();
            Throwable cause = connected.cause();
            throw new IOException("cannot connect to ttrpc socket " + socketPath + ": " + cause.getMessage(), cause);
        }
        return new TtrpcClient(connected.channel(), connection);
    }

    /** Connects to an address as containerd writes it: a path, or {@code unix://} followed by a path. */
    public static TtrpcClient connect(String address) throws IOException {
        return connect(socketPath(address));
    }

    /** {@code unix:///run/x.sock} and {@code /run/x.sock} both give {@code /run/x.sock}. */
    public static Path socketPath(String address) {
        String path = address.startsWith(UNIX_SCHEME) ? address.substring(UNIX_SCHEME.length()) : address;
        if (path.isEmpty()) {
            throw new IllegalArgumentException("no socket path in address '" + address + "'");
        }
        return Path.of(path);
    }

    /**
     * Calls {@code service/method}. The future fails with a {@link TtrpcException}: the server's
     * status when it is not OK, DEADLINE_EXCEEDED when {@code options.timeout()} passes, UNAVAILABLE
     * when the connection is or gets closed, RESOURCE_EXHAUSTED when the request exceeds 4 MiB
     * (then nothing is sent).
     */
    public <R extends Message> CompletableFuture<R> callAsync(
            String service, String method, Message request, Parser<R> responseParser, CallOptions options) {
        String name = service + "/" + method;
        CompletableFuture<R> future = new CompletableFuture<>();
        PendingCall<R> call = new PendingCall<>(name, responseParser, future);
        Request.Builder envelope = Request.newBuilder()
                .setService(service)
                .setMethod(method)
                .setPayload(request.toByteString())
                .addAllMetadata(options.metadata());
        if (options.hasTimeout()) {
            envelope.setTimeoutNano(saturatedNanos(options));
        }
        byte[] payload = envelope.build().toByteArray();
        if (payload.length > Frame.MAX_PAYLOAD) {
            call.fail(StatusCode.RESOURCE_EXHAUSTED, "request " + name + " is " + payload.length
                    + " bytes, more than the maximum message size of " + Frame.MAX_PAYLOAD);
            return future;
        }
        if (!channel.isActive()) {
            call.fail(StatusCode.UNAVAILABLE, "ttrpc: connection closed");
            return future;
        }
        if (options.hasTimeout()) {
            ScheduledFuture<?> timer = channel.eventLoop().schedule(
                    () -> call.fail(StatusCode.DEADLINE_EXCEEDED, "context deadline exceeded: " + name
                            + " got no response within " + options.timeout().toMillis() + " ms"),
                    options.timeout().toNanos(), TimeUnit.NANOSECONDS);
            future.whenComplete((r, e) -> timer.cancel(false));
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            send(call, payload);
        } else {
            loop.execute(() -> send(call, payload));
        }
        return future;
    }

    /**
     * Numbers and writes a request, on the event loop: that is what keeps stream ids increasing on
     * the wire (ttrpc 1.2 servers reject an id lower than one already seen) however many threads call.
     */
    private void send(PendingCall<?> call, byte[] payload) {
        if (call.future().isDone()) {
            return; // timed out or cancelled while queued
        }
        int streamId = nextStreamId;
        nextStreamId += 2;
        if (!connection.register(streamId, call)) {
            call.fail(StatusCode.UNAVAILABLE, "ttrpc: connection closed");
            return;
        }
        call.future().whenComplete((r, e) -> connection.forget(streamId, call));
        channel.writeAndFlush(Frame.request(streamId, payload)).addListener(written -> {
            if (!written.isSuccess()) {
                call.fail(StatusCode.UNAVAILABLE, "ttrpc: cannot send " + call.name() + ": " + written.cause());
            }
        });
    }

    private static long saturatedNanos(CallOptions options) {
        try {
            return options.timeout().toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Blocking {@link #callAsync}; interrupting the caller cancels the wait with CANCELLED. */
    public <R extends Message> R call(
            String service, String method, Message request, Parser<R> responseParser, CallOptions options) {
        CompletableFuture<R> future = callAsync(service, method, request, responseParser, options);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(false);
            Thread.currentThread().interrupt();
            throw new TtrpcException(StatusCode.CANCELLED, "interrupted while waiting for " + service + "/" + method, e);
        } catch (ExecutionException e) {
            throw asTtrpc(e.getCause());
        } catch (CancellationException e) {
            throw new TtrpcException(StatusCode.CANCELLED, service + "/" + method + " was cancelled", e);
        }
    }

    /** {@link #call(String, String, Message, Parser, CallOptions)} without metadata or timeout. */
    public <R extends Message> R call(String service, String method, Message request, Parser<R> responseParser) {
        return call(service, method, request, responseParser, CallOptions.none());
    }

    private static TtrpcException asTtrpc(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof TtrpcException e) {
            // Rethrow a fresh one so the stack trace shows the caller, keeping the original as cause.
            return new TtrpcException(e.code(), e.getMessage(), e);
        }
        return new TtrpcException(StatusCode.UNKNOWN, Responses.describe(cause), cause);
    }

    /** True until the connection closes (either side). */
    public boolean isActive() {
        return channel.isActive();
    }

    /** Calls still waiting for a response. */
    public int pendingCalls() {
        return connection.pendingCalls();
    }

    /** Closes the connection; calls still waiting fail with UNAVAILABLE. */
    @Override
    public void close() {
        connection.failAll("ttrpc: client closed");
        ChannelFuture closing = channel.close();
        if (!channel.eventLoop().inEventLoop()) {
            closing.awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }
}
