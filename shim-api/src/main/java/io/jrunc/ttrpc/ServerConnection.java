package io.jrunc.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.proto.ttrpc.Request;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The server side of one connection: validates frames, starts a {@link ServerCall} per request and
 * writes responses in whatever order they finish. All state is confined to the channel's event loop.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter implements ServerCall.Responder {

    private static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());

    private final RequestResolver resolver;
    private final Executor executor;
    private final Map<Integer, ServerCall> inFlight = new HashMap<>();
    private ChannelHandlerContext ctx;
    private long lastStreamId;
    private boolean draining;

    ServerConnection(RequestResolver resolver, Executor executor) {
        this.resolver = resolver;
        this.executor = executor;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (msg) {
            case OversizedFrame oversized -> sendError(oversized.streamId(), StatusCode.RESOURCE_EXHAUSTED, oversized.message());
            case Frame frame -> onFrame(frame);
            default -> ctx.fireChannelRead(msg);
        }
    }

    private void onFrame(Frame frame) {
        switch (frame.type()) {
            case Frame.TYPE_REQUEST -> onRequest(frame);
            case Frame.TYPE_DATA -> {
                // Every method here is unary: data is only tolerated on a stream that is still running.
                if (!inFlight.containsKey(frame.streamId())) {
                    sendError(frame.streamId(), StatusCode.INVALID_ARGUMENT, "data frame for stream "
                            + frame.unsignedStreamId() + ", which has no active call");
                }
            }
            default -> {
                // Responses from a client and future message types: ignored, as ttrpc requires.
            }
        }
    }

    private void onRequest(Frame frame) {
        long id = frame.unsignedStreamId();
        if (id % 2 == 0) {
            sendError(frame.streamId(), StatusCode.INVALID_ARGUMENT, "StreamID must be odd for client initiated streams");
            return;
        }
        if (id <= lastStreamId) {
            sendError(frame.streamId(), StatusCode.INVALID_ARGUMENT, "StreamID " + id
                    + " cannot be re-used and must increment (last was " + lastStreamId + ")");
            return;
        }
        lastStreamId = id;
        Request request;
        try {
            request = Request.parseFrom(frame.payload());
        } catch (InvalidProtocolBufferException e) {
            sendError(frame.streamId(), StatusCode.INVALID_ARGUMENT, "unmarshal request error: " + e.getMessage());
            return;
        }
        if (draining) {
            sendError(frame.streamId(), StatusCode.UNAVAILABLE, "ttrpc server is shutting down");
            return;
        }
        long timeout = request.getTimeoutNano();
        long deadline = timeout > 0 ? deadlineFrom(timeout) : 0;
        RequestResolver.Resolved resolved;
        try {
            resolved = resolver.resolve(request, deadline);
        } catch (TtrpcException e) {
            sendError(frame.streamId(), e.code(), e.getMessage());
            return;
        }
        ServerCall call = new ServerCall(frame.streamId(), resolved, this);
        inFlight.put(frame.streamId(), call);
        call.start(executor, ctx.channel().eventLoop(), timeout);
    }

    private static long deadlineFrom(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        return deadline == 0 ? 1 : deadline; // 0 means "no deadline" in RequestContext
    }

    /** Called from handler threads and timers; the write happens on the event loop. */
    @Override
    public void respond(ServerCall call, byte[] response) {
        ctx.executor().execute(() -> {
            if (inFlight.remove(call.streamId(), call)) {
                ctx.writeAndFlush(Frame.response(call.streamId(), response));
                closeIfDrained();
            }
        });
    }

    private void sendError(int streamId, StatusCode code, String message) {
        ctx.writeAndFlush(Frame.response(streamId, Responses.error(code, message)));
    }

    /** Stop taking requests; close once every running call has answered. Any thread. */
    void drain() {
        ctx.executor().execute(() -> {
            draining = true;
            closeIfDrained();
        });
    }

    private void closeIfDrained() {
        if (draining && inFlight.isEmpty() && ctx.channel().isOpen()) {
            // The empty write is queued behind every response, so closing waits for them to flush.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (ServerCall call : new ArrayList<>(inFlight.values())) {
            call.cancel();
        }
        inFlight.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.log(Level.DEBUG, "ttrpc: connection error, closing: {0}", cause.toString());
        } else {
            LOG.log(Level.WARNING, "ttrpc: unexpected error on connection, closing it", cause);
        }
        ctx.close();
    }
}
