package io.jrunc.ttrpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Empty;
import com.google.protobuf.Int32Value;
import com.google.protobuf.Int64Value;
import com.google.protobuf.StringValue;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A ttrpc service whose methods exercise the server: echo, failures, sleeps, big answers. */
final class TestService {

    static final String NAME = "jrunc.test.Probe";

    final AtomicReference<RequestContext> lastContext = new AtomicReference<>();
    final CountDownLatch sleeperInterrupted = new CountDownLatch(1);
    final CountDownLatch stubbornFinished = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger waitingAtGate = new AtomicInteger();
    final ConcurrentLinkedQueue<Integer> completionOrder = new ConcurrentLinkedQueue<>();
    volatile CountDownLatch gate = new CountDownLatch(0);

    ServiceRegistry registry() {
        return ServiceRegistry.builder()
                .unary(NAME, "Echo", StringValue.parser(), (ctx, r) -> {
                    calls.incrementAndGet();
                    lastContext.set(ctx);
                    return StringValue.of("echo:" + r.getValue());
                })
                .nonBlocking(NAME, "EchoOnLoop", StringValue.parser(), (ctx, r) -> {
                    calls.incrementAndGet();
                    lastContext.set(ctx);
                    return StringValue.of((TtrpcEventLoop.inEventLoop() ? "loop:" : "elsewhere:") + r.getValue());
                })
                .nonBlocking(NAME, "FailOnLoop", StringValue.parser(), (ctx, r) -> {
                    switch (r.getValue()) {
                        case "notfound" -> throw TtrpcException.notFound("no such thing");
                        case "runtime" -> throw new IllegalStateException("boom");
                        case "spin" -> {
                            // Overruns a short deadline without blocking on anything.
                            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait();
                            }
                            return Empty.getDefaultInstance();
                        }
                        default -> {
                            return null;
                        }
                    }
                })
                .unary(NAME, "Fail", StringValue.parser(), (ctx, r) -> {
                    switch (r.getValue()) {
                        case "notfound" -> throw TtrpcException.notFound("no such thing");
                        case "runtime" -> throw new IllegalStateException("boom");
                        case "nomessage" -> throw new NullPointerException();
                        case "error" -> throw new StackOverflowError("deep");
                        case "checked" -> throw new java.io.IOException("disk on fire");
                        case "null" -> {
                            return null;
                        }
                        default -> {
                            return Empty.getDefaultInstance();
                        }
                    }
                })
                .unary(NAME, "Sleep", Int64Value.parser(), (ctx, r) -> {
                    lastContext.set(ctx);
                    try {
                        Thread.sleep(r.getValue());
                    } catch (InterruptedException e) {
                        sleeperInterrupted.countDown();
                        throw e;
                    }
                    return Empty.getDefaultInstance();
                })
                .unary(NAME, "Stubborn", Int64Value.parser(), (ctx, r) -> {
                    // Ignores interrupts: its result arrives after the deadline and must be dropped.
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(r.getValue());
                    while (System.nanoTime() < until) {
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException ignored) {
                            sleeperInterrupted.countDown();
                        }
                    }
                    stubbornFinished.countDown();
                    return StringValue.of("late");
                })
                .unary(NAME, "Gate", Int32Value.parser(), (ctx, r) -> {
                    waitingAtGate.incrementAndGet();
                    gate.await();
                    // Later requests finish first: request i sleeps in inverse proportion to i.
                    Thread.sleep(Math.max(0, 300 - r.getValue()));
                    completionOrder.add(r.getValue());
                    return Int32Value.of(r.getValue() * 2);
                })
                .unary(NAME, "Big", Int32Value.parser(), (ctx, r) -> BytesValue.of(ByteString.copyFrom(new byte[r.getValue()])))
                .unary(NAME, "Meta", Empty.parser(), (ctx, r) -> {
                    Map<String, List<String>> sorted = new TreeMap<>(ctx.metadata());
                    return StringValue.of(sorted.toString());
                })
                .build();
    }
}
