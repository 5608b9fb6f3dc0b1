package io.jrunc.ttrpc;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client side of one connection: routes each response to the call waiting on its stream id,
 * and fails every waiting call with UNAVAILABLE when the connection goes away.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ClientConnection.class.getName());

    private final Map<Integer, PendingCall<?>> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Registers a call before its request is written.
     *
     * @return false if the connection is already gone (the call is not registered)
     */
    boolean register(int streamId, PendingCall<?> call) {
        pending.put(streamId, call);
        if (closed) {
            pending.remove(streamId);
            return false;
        }
        return true;
    }

    /** Forgets a call that completed by other means (timeout, cancellation, failed write). */
    void forget(int streamId, PendingCall<?> call) {
        pending.remove(streamId, call);
    }

    int pendingCalls() {
        return pending.size();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (msg) {
            case Frame frame when frame.type() == Frame.TYPE_RESPONSE -> {
                PendingCall<?> call = pending.remove(frame.streamId());
                if (call == null) {
                    LOG.log(Level.DEBUG, "ttrpc: response for stream {0} that nobody waits for (timed out?)",
                            frame.unsignedStreamId());
                } else {
                    call.complete(frame.payload());
                }
            }
            case OversizedFrame oversized -> {
                PendingCall<?> call = pending.remove(oversized.streamId());
                if (call != null) {
                    call.fail(StatusCode.RESOURCE_EXHAUSTED, oversized.message());
                }
            }
            default -> {
                // Data frames and unknown types: this client makes unary calls only.
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        failAll("ttrpc: connection closed");
        ctx.fireChannelInactive();
    }

    void failAll(String message) {
        closed = true;
        List<PendingCall<?>> calls = new ArrayList<>(pending.values());
        pending.clear();
        for (PendingCall<?> call : calls) {
            call.fail(StatusCode.UNAVAILABLE, message);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.log(Level.DEBUG, "ttrpc client: connection error: {0}", cause.toString());
        } else {
            LOG.log(Level.WARNING, "ttrpc client: unexpected error, closing the connection", cause);
        }
        ctx.close();
    }
}
