package io.jrunc.ttrpc;

import com.google.protobuf.Message;
import io.netty.channel.EventLoop;
import java.lang.System.Logger.Level;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * One request being served: runs the handler on a worker thread and produces exactly one
 * response, whichever comes first of the handler's result and the deadline. A result that loses
 * the race is dropped; a deadline or a lost connection interrupts the handler thread.
 */
final class ServerCall {

    /** Where the one response goes (the connection writes it on its event loop). */
    interface Responder {
        void respond(ServerCall call, byte[] response);
    }

    private static final System.Logger LOG = System.getLogger(ServerCall.class.getName());
    private static final ThreadLocal<ServerCall> CURRENT = new ThreadLocal<>();

    private final int streamId;
    private final RequestResolver.Resolved resolved;
    private final Responder responder;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile ScheduledFuture<?> deadlineTimer;
    /** The thread running the handler, while it runs; guarded by {@code this}. */
    private Thread worker;

    ServerCall(int streamId, RequestResolver.Resolved resolved, Responder responder) {
        this.streamId = streamId;
        this.resolved = resolved;
        this.responder = responder;
    }

    /** True on a thread that is running a ttrpc handler (blocking on the server from there would deadlock). */
    static boolean onHandlerThread() {
        return CURRENT.get() != null;
    }

    int streamId() {
        return streamId;
    }

    /** Called on the connection's event loop. */
    void start(Executor executor, EventLoop loop, long timeoutNanos) {
        // ttrpc (like Go's context) treats timeout_nano <= 0 as "no deadline", not as already expired.
        if (timeoutNanos > 0) {
            deadlineTimer = loop.schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
        try {
            executor.execute(this::run);
        } catch (RejectedExecutionException e) {
            finish(Responses.error(StatusCode.UNAVAILABLE, "ttrpc server is shutting down"));
        }
    }

    /** The connection is gone: nobody will read a response, so stop the handler if it is running. */
    void cancel() {
        if (finished.compareAndSet(false, true)) {
            cancelTimer();
            interruptWorker();
        }
    }

    private void run() {
        synchronized (this) {
            if (finished.get()) {
                return;
            }
            worker = Thread.currentThread();
        }
        CURRENT.set(this);
        byte[] response;
        try {
            response = answer(resolved, () -> !finished.get());
        } finally {
            CURRENT.remove();
            synchronized (this) {
                worker = null;
            }
            Thread.interrupted(); // a late deadline interrupt must not leak into a pooled thread's next task
        }
        finish(response);
    }

    /**
     * Runs a {@link ServiceRegistry.Dispatch#EVENT_LOOP} handler on the calling thread: no worker, no timer,
     * no hand-off back. A handler that returns after the deadline still answers DEADLINE_EXCEEDED, as a
     * worker call would.
     */
    static byte[] runHere(RequestResolver.Resolved resolved) {
        byte[] response = answer(resolved, () -> true);
        RequestContext context = resolved.context();
        if (context.hasDeadline() && System.nanoTime() - context.deadlineNanos() > 0) {
            return deadlineExceeded(resolved);
        }
        return response;
    }

    /** The handler's answer, or the status its failure maps to; {@code logFailure} says whether anyone still waits. */
    private static byte[] answer(RequestResolver.Resolved resolved, BooleanSupplier logFailure) {
        try {
            Message result = call(resolved.method(), resolved.context(), resolved.request());
            if (result == null) {
                return Responses.error(StatusCode.UNKNOWN, "handler for " + name(resolved) + " returned no response");
            }
            return Responses.ok(result);
        } catch (TtrpcException e) {
            StatusCode code = e.code() == StatusCode.OK ? StatusCode.UNKNOWN : e.code();
            return Responses.error(code, e.getMessage());
        } catch (Throwable t) {
            // Errors included: a failing handler must cost one call, never the server.
            if (logFailure.getAsBoolean()) {
                LOG.log(Level.WARNING, "ttrpc: " + name(resolved) + " failed", t);
            }
            return Responses.error(StatusCode.UNKNOWN, Responses.describe(t));
        }
    }

    @SuppressWarnings("unchecked")
    private static <Req extends Message, Resp extends Message> Resp call(
            ServiceRegistry.Method<Req, Resp> method, RequestContext context, Message request) throws Exception {
        return method.handler().handle(context, (Req) request);
    }

    private void expire() {
        if (finished.compareAndSet(false, true)) {
            responder.respond(this, deadlineExceeded(resolved));
            interruptWorker();
        }
    }

    private void finish(byte[] response) {
        if (finished.compareAndSet(false, true)) {
            cancelTimer();
            responder.respond(this, response);
        }
    }

    private void cancelTimer() {
        ScheduledFuture<?> timer = deadlineTimer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private synchronized void interruptWorker() {
        if (worker != null) {
            worker.interrupt();
        }
    }

    private static byte[] deadlineExceeded(RequestResolver.Resolved resolved) {
        return Responses.error(StatusCode.DEADLINE_EXCEEDED,
                "context deadline exceeded: " + name(resolved) + " did not finish in time");
    }

    private static String name(RequestResolver.Resolved resolved) {
        return resolved.context().service() + "/" + resolved.context().method();
    }
}
