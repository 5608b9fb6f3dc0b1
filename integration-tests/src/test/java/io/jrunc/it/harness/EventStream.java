package io.jrunc.it.harness;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.jrunc.proto.services.events.v1.Envelope;
import io.jrunc.proto.services.events.v1.EventsGrpc;
import io.jrunc.proto.services.events.v1.PublishRequest;
import io.jrunc.proto.services.events.v1.SubscribeRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** A live Events/Subscribe stream whose envelopes queue up until a test takes them. */
public final class EventStream implements AutoCloseable {
    /** Topic of the marker events {@link #awaitActive} publishes; tests filter them out. */
    public static final String PROBE_TOPIC = "/jrunc-it/probe";

    private final ContainerdClient client;
    private final Context.CancellableContext context;
    private final LinkedBlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private EventStream(ContainerdClient client) {
        this.client = client;
        this.context = Context.current().withCancellation();
    }

    static EventStream open(ContainerdClient client, SubscribeRequest request) {
        EventStream stream = new EventStream(client);
        stream.context.run(() -> EventsGrpc.newStub(client.channel()).subscribe(request, stream.observer()));
        return stream;
    }

    private StreamObserver<Envelope> observer() {
        return new StreamObserver<>() {
            @Override
            public void onNext(Envelope value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                failure.compareAndSet(null, t);
            }

            @Override
            public void onCompleted() {
                failure.compareAndSet(null, new IllegalStateException("containerd ended the event stream"));
            }
        };
    }

    /**
     * containerd registers a subscriber only when the call reaches it, and nothing tells the client
     * when that happened. Publish marker events in the client's namespace until one comes back.
     * The filters of this stream must let {@link #PROBE_TOPIC} through.
     */
    public void awaitActive(Duration timeout) {
        String marker = UUID.randomUUID().toString();
        Any payload = Any.newBuilder().setTypeUrl("jrunc.it.Probe").setValue(ByteString.copyFromUtf8(marker)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            client.events().publish(PublishRequest.newBuilder().setTopic(PROBE_TOPIC).setEvent(payload).build());
            if (poll(Duration.ofMillis(200), e -> e.getTopic().equals(PROBE_TOPIC)
                    && e.getEvent().getValue().toStringUtf8().equals(marker)).isPresent()) {
                return;
            }
        }
        throw new AssertionError("event subscription not active after " + timeout + failureSuffix());
    }

    /** The first envelope matching {@code filter} within {@code timeout}; others received before it are dropped. */
    public Optional<Envelope> poll(Duration timeout, Predicate<Envelope> filter) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Envelope next;
            try {
                next = received.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (next == null) {
                if (failure.get() != null && received.isEmpty()) {
                    throw new IllegalStateException("event stream failed", failure.get());
                }
                continue;
            }
            if (filter.test(next)) {
                return Optional.of(next);
            }
        }
    }

    /** Like {@link #poll} but fails the test if nothing matching arrives. */
    public Envelope await(Duration timeout, String what, Predicate<Envelope> filter) {
        return poll(timeout, filter).orElseThrow(
                () -> new AssertionError("no event " + what + " within " + timeout + failureSuffix()));
    }

    /** Envelopes received so far and not yet taken, in arrival order (probes included). */
    public List<Envelope> drain() {
        List<Envelope> out = new ArrayList<>();
        received.drainTo(out);
        return out;
    }

    private String failureSuffix() {
        Throwable t = failure.get();
        return t == null ? "" : " (stream failed: " + t + ")";
    }

    @Override
    public void close() {
        context.cancel(null);
    }
}
