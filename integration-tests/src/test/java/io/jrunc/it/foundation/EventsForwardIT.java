package io.jrunc.it.foundation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.jrunc.it.harness.ContainerdClient;
import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.services.events.ttrpc.v1.Envelope;
import io.jrunc.proto.services.events.ttrpc.v1.ForwardRequest;
import io.jrunc.ttrpc.CallOptions;
import io.jrunc.ttrpc.StatusCode;
import io.jrunc.ttrpc.TtrpcClient;
import io.jrunc.ttrpc.TtrpcException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our ttrpc client against containerd's real ttrpc endpoint: a TaskExit forwarded the way a shim
 * forwards it ({@code containerd.services.events.ttrpc.v1.Events/Forward} on {@code <sock>.ttrpc})
 * must come out of containerd's gRPC {@code Events/Subscribe} unchanged.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EventsForwardIT {
    private static final String EVENTS_SERVICE = "containerd.services.events.ttrpc.v1.Events";
    private static final String EXIT_TOPIC = "/tasks/exit";
    private static final Duration ARRIVAL = Duration.ofSeconds(10);

    private static PrivateContainerd containerd;

    private String namespace;
    private ContainerdClient client;
    private EventStream events;

    @BeforeAll
    static void startContainerd() {
        containerd = PrivateContainerd.start();
    }

    @AfterAll
    static void stopContainerd() {
        if (containerd != null) {
            containerd.close();
        }
    }

    @BeforeEach
    void subscribe() {
        namespace = containerd.newNamespace();
        client = containerd.client(namespace);
        events = client.subscribe("namespace==" + namespace);
        events.awaitActive(ARRIVAL);
    }

    @AfterEach
    void unsubscribe() {
        if (events != null) {
            events.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    void forwardedTaskExitArrivesUnchangedAtSubscribers() throws Exception {
        TaskExit exit = taskExit("fwd-1", 4242, 137);
        Timestamp stamp = timestamp(Instant.now());
        Any payload = Any.newBuilder().setTypeUrl("containerd.events.TaskExit").setValue(exit.toByteString()).build();

        try (TtrpcClient ttrpc = TtrpcClient.connect(containerd.ttrpcSocket())) {
            Empty reply = ttrpc.call(EVENTS_SERVICE, "Forward", forward(stamp, EXIT_TOPIC, payload), Empty.parser(), shimLike());
            assertEquals(Empty.getDefaultInstance(), reply);
        }

        var got = events.await(ARRIVAL, EXIT_TOPIC, e -> e.getTopic().equals(EXIT_TOPIC));
        assertEquals(namespace, got.getNamespace());
        assertEquals(stamp, got.getTimestamp(), "containerd keeps the forwarder's timestamp");
        assertEquals("containerd.events.TaskExit", got.getEvent().getTypeUrl(), "bare type URL passes through");
        assertEquals(exit, TaskExit.parseFrom(got.getEvent().getValue()));
    }

    @Test
    void forwardingEventPublisherDeliversTaskExit() throws Exception {
        TaskExit exit = taskExit("fwd-2", 777, 3);
        Instant before = Instant.now();
        var publisher = new io.jrunc.shim.event.ForwardingEventPublisher(containerd.ttrpcSocket(), namespace);
        try {
            publisher.publish(EXIT_TOPIC, exit);
            var got = events.await(ARRIVAL, EXIT_TOPIC, e -> e.getTopic().equals(EXIT_TOPIC));
            Instant after = Instant.now();

            assertEquals(namespace, got.getNamespace());
            assertEquals("containerd.events.TaskExit", got.getEvent().getTypeUrl());
            assertEquals(exit, TaskExit.parseFrom(got.getEvent().getValue()));
            Instant stamped = Instant.ofEpochSecond(got.getTimestamp().getSeconds(), got.getTimestamp().getNanos());
            assertTrue(!stamped.isBefore(before.minusMillis(1)) && !stamped.isAfter(after),
                    "publisher stamps the envelope when publishing: " + stamped + " not in [" + before + ", " + after + "]");
        } finally {
            publisher.close();
        }
    }

    /** Envelopes containerd must refuse: its Go code sees both as the zero time.Time. */
    static Stream<Arguments> zeroTimestamps() {
        return Stream.of(
                Arguments.of("timestamp absent", null),
                Arguments.of("Go zero time (0001-01-01T00:00:00Z)", Timestamp.newBuilder().setSeconds(-62135596800L).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zeroTimestamps")
    void zeroTimestampIsRejectedWithInvalidArgument(String description, Timestamp stamp) throws Exception {
        Any payload = Any.newBuilder().setTypeUrl("containerd.events.TaskExit")
                .setValue(taskExit("fwd-zero", 1, 0).toByteString()).build();

        TtrpcException refused;
        try (TtrpcClient ttrpc = TtrpcClient.connect(containerd.ttrpcSocket())) {
            refused = assertThrows(TtrpcException.class, () -> ttrpc.call(EVENTS_SERVICE, "Forward",
                    forward(stamp, EXIT_TOPIC, payload), Empty.parser(), shimLike()));
            // The refusal is per call: the connection stays usable.
            ttrpc.call(EVENTS_SERVICE, "Forward", forward(timestamp(Instant.now()), "/jrunc-it/after-refusal", payload),
                    Empty.parser(), shimLike());
        }
        System.out.println("containerd, " + description + ": " + refused);
        assertEquals(StatusCode.INVALID_ARGUMENT, refused.code(), refused.toString());
        assertTrue(refused.getMessage().contains("timestamp"), refused.getMessage());
        // containerd broadcasts one connection's events in order, so a broadcast refused envelope
        // would arrive before the marker sent after it.
        List<String> topicsSeen = new ArrayList<>();
        events.await(ARRIVAL, "/jrunc-it/after-refusal", e -> {
            topicsSeen.add(e.getTopic());
            return e.getTopic().equals("/jrunc-it/after-refusal");
        });
        assertFalse(topicsSeen.contains(EXIT_TOPIC), "the refused envelope was broadcast: " + topicsSeen);
    }

    private ForwardRequest forward(Timestamp stamp, String topic, Any event) {
        Envelope.Builder envelope = Envelope.newBuilder().setNamespace(namespace).setTopic(topic).setEvent(event);
        if (stamp != null) {
            envelope.setTimestamp(stamp);
        }
        return ForwardRequest.newBuilder().setEnvelope(envelope).build();
    }

    /** What the Go shim sends with every Forward (observed): the namespace header and a 5 s timeout. */
    private CallOptions shimLike() {
        return CallOptions.none().withTimeout(Duration.ofSeconds(5)).withMetadata("containerd-namespace-ttrpc", namespace);
    }

    private static TaskExit taskExit(String id, int pid, int status) {
        return TaskExit.newBuilder().setContainerId(id).setId(id).setPid(pid).setExitStatus(status)
                .setExitedAt(timestamp(Instant.now().minusSeconds(1))).build();
    }

    private static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
