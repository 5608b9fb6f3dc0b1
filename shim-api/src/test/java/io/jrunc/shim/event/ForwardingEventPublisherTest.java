package io.jrunc.shim.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.events.TaskStart;
import io.jrunc.proto.services.events.ttrpc.v1.Envelope;
import io.jrunc.proto.services.events.ttrpc.v1.ForwardRequest;
import io.jrunc.ttrpc.RequestContext;
import io.jrunc.ttrpc.ServiceRegistry;
import io.jrunc.ttrpc.StatusCode;
import io.jrunc.ttrpc.TtrpcException;
import io.jrunc.ttrpc.TtrpcServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardingEventPublisherTest {

    /** What the fake containerd saw: the request and its context. */
    record Received(Envelope envelope, RequestContext context) {}

    @TempDir
    Path dir;

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
    }

    /** A fake containerd Events service on our own server; {@code verdict} may throw to fail a call. */
    private TtrpcServer fakeContainerd(Path socket, Function<Integer, StatusCode> verdict) {
        ServiceRegistry registry = ServiceRegistry.builder()
                .unary("containerd.services.events.ttrpc.v1.Events", "Forward", ForwardRequest.parser(), (ctx, r) -> {
                    int attempt = attempts.incrementAndGet();
                    StatusCode code = verdict.apply(attempt);
                    if (code != StatusCode.OK) {
                        throw new TtrpcException(code, "fake containerd says " + code);
                    }
                    received.add(new Received(r.getEnvelope(), ctx));
                    return Empty.getDefaultInstance();
                })
                .build();
        TtrpcServer server = TtrpcServer.bind(socket, registry);
        cleanup.add(() -> server.close(Duration.ofMillis(100)));
        return server;
    }

    private ForwardingEventPublisher publisher(Path socket, Duration retryUnit) {
        ForwardingEventPublisher publisher = new ForwardingEventPublisher(
                socket, "k8s.io", retryUnit, Duration.ofSeconds(5), Duration.ofSeconds(5));
        cleanup.add(publisher);
        return publisher;
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no event arrived");
        }
        return r;
    }

    @Test
    void forwardsEnvelopeWithNamespaceMetadataAndBareTypeUrl() throws Exception {
        Path socket = dir.resolve("containerd.sock.ttrpc");
        fakeContainerd(socket, attempt -> StatusCode.OK);
        ForwardingEventPublisher publisher = new ForwardingEventPublisher(socket, "k8s.io");
        cleanup.add(publisher);
        TaskExit exit = TaskExit.newBuilder().setContainerId("c1").setId("c1").setPid(42).setExitStatus(137).build();
        Instant before = Instant.now();
        publisher.publish("/tasks/exit", exit);

        Received r = next();
        assertEquals(List.of("k8s.io"), r.context().metadata().get("containerd-namespace-ttrpc"));
        assertTrue(r.context().hasDeadline(), "calls carry a timeout");
        long left = r.context().deadlineNanos() - System.nanoTime();
        assertTrue(left > 0 && left <= TimeUnit.SECONDS.toNanos(5), "timeout is 5 s, " + left + " ns left");
        Envelope envelope = r.envelope();
        assertEquals("k8s.io", envelope.getNamespace());
        assertEquals("/tasks/exit", envelope.getTopic());
        assertEquals("containerd.events.TaskExit", envelope.getEvent().getTypeUrl(), "bare name, as containerd 1.6 needs");
        assertEquals(exit, TaskExit.parseFrom(envelope.getEvent().getValue()));
        Timestamp ts = envelope.getTimestamp();
        Instant stamped = Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
        assertFalse(stamped.isBefore(before.minusMillis(1)), "stamped at publish time: " + stamped + " vs " + before);
        assertFalse(stamped.isAfter(Instant.now()));
    }

    @Test
    void deliversInPublishOrder() throws Exception {
        Path socket = dir.resolve("order.sock");
        fakeContainerd(socket, attempt -> StatusCode.OK);
        ForwardingEventPublisher publisher = publisher(socket, Duration.ofMillis(50));
        for (int i = 0; i < 50; i++) {
            publisher.publish("/tasks/start", TaskStart.newBuilder().setContainerId("c" + i).setPid(i).build());
        }
        for (int i = 0; i < 50; i++) {
            Envelope e = next().envelope();
            assertEquals("containerd.events.TaskStart", e.getEvent().getTypeUrl());
            assertEquals(i, TaskStart.parseFrom(e.getEvent().getValue()).getPid());
        }
    }

    @Test
    void retriesUntilContainerdAppears() throws Exception {
        Path socket = dir.resolve("late.sock");
        ForwardingEventPublisher publisher = publisher(socket, Duration.ofMillis(300));
        publisher.publish("/tasks/start", TaskStart.newBuilder().setContainerId("early").setPid(1).build());
        publisher.publish("/tasks/exit", TaskExit.newBuilder().setContainerId("early").setPid(1).build());
        Thread.sleep(500); // attempts 1 and 2 find no socket
        assertTrue(received.isEmpty());
        fakeContainerd(socket, attempt -> StatusCode.OK);
        Received first = next();
        assertEquals("/tasks/start", first.envelope().getTopic());
        assertEquals("/tasks/exit", next().envelope().getTopic(), "order kept across the outage");
    }

    @Test
    void reconnectsAfterContainerdRestarts() throws Exception {
        Path socket = dir.resolve("restart.sock");
        TtrpcServer first = fakeContainerd(socket, attempt -> StatusCode.OK);
        ForwardingEventPublisher publisher = publisher(socket, Duration.ofMillis(100));
        publisher.publish("/tasks/start", TaskStart.newBuilder().setContainerId("a").build());
        assertEquals("/tasks/start", next().envelope().getTopic());
        // Graceful: the call in flight (whose handler already recorded the event) still gets its answer,
        // so the publisher does not deliver it twice.
        first.close(Duration.ofSeconds(2));
        publisher.publish("/tasks/exit", TaskExit.newBuilder().setContainerId("a").build());
        Thread.sleep(150);
        fakeContainerd(socket, attempt -> StatusCode.OK);
        assertEquals("/tasks/exit", next().envelope().getTopic());
    }

    @Test
    void givesUpAfterFiveAttemptsAndMovesOn() throws Exception {
        Path socket = dir.resolve("failing.sock");
        fakeContainerd(socket, attempt -> attempt <= 5 ? StatusCode.UNAVAILABLE : StatusCode.OK);
        ForwardingEventPublisher publisher = publisher(socket, Duration.ofMillis(20));
        publisher.publish("/tasks/exit", TaskExit.newBuilder().setContainerId("dropped").build());
        publisher.publish("/tasks/exit", TaskExit.newBuilder().setContainerId("delivered").build());
        Envelope e = next().envelope();
        assertEquals("delivered", TaskExit.parseFrom(e.getEvent().getValue()).getContainerId());
        assertEquals(6, attempts.get(), "five attempts for the first event, one for the second");
    }

    @Test
    void invalidArgumentIsNotRetried() throws Exception {
        Path socket = dir.resolve("invalid.sock");
        fakeContainerd(socket, attempt -> attempt == 1 ? StatusCode.INVALID_ARGUMENT : StatusCode.OK);
        ForwardingEventPublisher publisher = publisher(socket, Duration.ofSeconds(10));
        publisher.publish("bad topic", TaskExit.newBuilder().setContainerId("x").build());
        publisher.publish("/tasks/exit", TaskExit.newBuilder().setContainerId("y").build());
        Envelope e = next().envelope(); // would take 10 s if the first were retried
        assertEquals("/tasks/exit", e.getTopic());
        assertEquals(2, attempts.get());
    }

    @Test
    void closeDrainsTheQueue() throws Exception {
        Path socket = dir.resolve("drain.sock");
        fakeContainerd(socket, attempt -> StatusCode.OK);
        ForwardingEventPublisher publisher = new ForwardingEventPublisher(socket, "default");
        for (int i = 0; i < 20; i++) {
            publisher.publish("/tasks/exit", TaskExit.newBuilder().setPid(i).build());
        }
        publisher.close();
        assertEquals(20, received.size(), "everything queued before close() was delivered when it returned");
        publisher.publish("/tasks/exit", TaskExit.getDefaultInstance()); // dropped, does not throw
        Thread.sleep(100);
        assertEquals(20, received.size());
    }

    @Test
    void closeGivesUpAfterTheDrainTimeoutWhenContainerdIsGone() {
        ForwardingEventPublisher publisher = new ForwardingEventPublisher(
                dir.resolve("nobody.sock"), "default", Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofMillis(300));
        publisher.publish("/tasks/exit", TaskExit.getDefaultInstance());
        publisher.publish("/tasks/exit", TaskExit.getDefaultInstance());
        long start = System.nanoTime();
        publisher.close();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took < 2000, "close() returned after " + took + " ms");
        assertEquals(0, publisher.queued());
    }
}
