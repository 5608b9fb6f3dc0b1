package io.jrunc.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.proto.ttrpc.Request;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server side of one connection: validates frames, starts a {@link ServerCall} per request and
 * writes responses in whatever order they finish. All state but the answer queue is confined to the
 * channel's event loop.
 *
 * <p>Back-pressure: a peer that sends requests but does not read the answers must not make us buffer
 * without end. Answers go to Netty only while the channel is writable (below {@link #WATER_MARK}'s
 * high mark); the rest wait on the heap in {@link #answers}. While the channel is not writable, more than
 * {@link #MAX_HELD_ANSWER_BYTES} of answers wait, or {@link #MAX_CALLS_IN_FLIGHT} calls are running or
 * unwritten, the connection stops reading and
 * frames already decoded wait unprocessed; it resumes once the peer has drained below the low mark.
 * So such a peer costs at most the water mark in direct memory plus its in-flight calls' answers.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter implements ServerCall.Responder {

    private static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());

    /** Outbound bytes above which the channel turns unwritable (and we stop reading), and below which it resumes. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    /**
     * Calls running or answered-but-unwritten on one connection; more requests wait unread. High because
     * containerd multiplexes every task of a daemon on one connection and each task keeps a Wait parked
     * (a namespace daemon serving 1,000 containers has 1,000 Waits plus execs'): a parked call costs a
     * parked virtual thread, while what a non-reading peer can pile up is bounded by the held bytes below.
     */
    static final int MAX_CALLS_IN_FLIGHT = 16_384;
    /** Answers produced but not yet handed to Netty (the channel is unwritable); above this we stop reading. */
    static final long MAX_HELD_ANSWER_BYTES = 4L << 20;

    /** What a connection holds, for tests and diagnostics. */
    record Stats(int callsInFlight, int framesUnprocessed, long heldAnswerBytes, long outboundBytes, boolean reading) {}

    /** An answer produced by a handler thread, waiting for the event loop to write it. */
    private record Answer(ServerCall call, byte[] response) {}

    private final RequestResolver resolver;
    private final Executor executor;
    private final Map<Integer, ServerCall> inFlight = new HashMap<>();
    /** Decoded frames received while saturated, processed in order when we resume. */
    private final ArrayDeque<Object> unprocessed = new ArrayDeque<>();
    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final AtomicLong heldAnswerBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainAnswers;
    private ChannelHandlerContext ctx;
    private long lastStreamId;
    private boolean draining;
    private boolean needsFlush;

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
        if (!(msg instanceof Frame) && !(msg instanceof OversizedFrame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!unprocessed.isEmpty() || saturated()) {
            unprocessed.add(msg); // keeps arrival order: nothing overtakes a waiting frame
            stopReading();
            return;
        }
        process(msg);
        if (saturated()) {
            stopReading();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushIfNeeded();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            drainAnswers();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private boolean saturated() {
        return !ctx.channel().isWritable() || inFlight.size() >= MAX_CALLS_IN_FLIGHT
                || heldAnswerBytes.get() > MAX_HELD_ANSWER_BYTES;
    }

    private void stopReading() {
        ctx.channel().config().setAutoRead(false);
    }

    /** Processes waiting frames while there is room, then reads again if all were processed. */
    private void resume() {
        while (!unprocessed.isEmpty() && !saturated()) {
            process(unprocessed.poll());
        }
        flushIfNeeded();
        Channel ch = ctx.channel();
        if (unprocessed.isEmpty() && !saturated() && ch.isOpen() && !ch.config().isAutoRead()) {
            ch.config().setAutoRead(true); // also issues a read
        }
    }

    private void process(Object msg) {
        switch (msg) {
            case OversizedFrame oversized -> sendError(oversized.streamId(), StatusCode.RESOURCE_EXHAUSTED, oversized.message());
            case Frame frame -> onFrame(frame);
            default -> throw new IllegalArgumentException("not a frame: " + msg);
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
        if (resolved.method().dispatch() == ServiceRegistry.Dispatch.EVENT_LOOP) {
            // Answered from memory: written with this read's batch, flushed once at channelReadComplete.
            ctx.write(Frame.response(frame.streamId(), ServerCall.runHere(resolved)), ctx.voidPromise());
            needsFlush = true;
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

    /**
     * Called from handler threads and timers. Answers are queued and one event-loop task writes all
     * that are ready with a single flush, so a busy server does not pay a task and a syscall per answer.
     */
    @Override
    public void respond(ServerCall call, byte[] response) {
        heldAnswerBytes.addAndGet(response.length);
        answers.add(new Answer(call, response));
        if (drainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(drainTask);
        }
    }

    /** Writes queued answers while the channel is writable; the rest wait for channelWritabilityChanged. */
    private void drainAnswers() {
        drainScheduled.set(false);
        Channel ch = ctx.channel();
        Answer answer;
        while (ch.isWritable() && (answer = answers.poll()) != null) {
            heldAnswerBytes.addAndGet(-answer.response().length);
            if (inFlight.remove(answer.call().streamId(), answer.call())) {
                ctx.write(Frame.response(answer.call().streamId(), answer.response()), ctx.voidPromise());
                needsFlush = true;
            }
        }
        flushIfNeeded();
        closeIfDrained();
        resume();
    }

    private void sendError(int streamId, StatusCode code, String message) {
        ctx.write(Frame.response(streamId, Responses.error(code, message)), ctx.voidPromise());
        needsFlush = true;
    }

    private void flushIfNeeded() {
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
    }

    /** Stop taking requests; close once every running call has answered. Any thread. */
    void drain() {
        ctx.executor().execute(() -> {
            draining = true;
            closeIfDrained();
            resume(); // waiting frames get UNAVAILABLE now rather than sitting there
        });
    }

    private void closeIfDrained() {
        if (draining && inFlight.isEmpty() && ctx.channel().isOpen()) {
            // The empty write is queued behind every response, so closing waits for them to flush.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A snapshot; call on the event loop for an exact one. */
    Stats stats() {
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        return new Stats(inFlight.size(), unprocessed.size(), heldAnswerBytes.get(),
                outbound == null ? 0 : outbound.totalPendingWriteBytes(), ctx.channel().config().isAutoRead());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (ServerCall call : new ArrayList<>(inFlight.values())) {
            call.cancel();
        }
        inFlight.clear();
        unprocessed.clear();
        answers.clear();
        heldAnswerBytes.set(0);
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
