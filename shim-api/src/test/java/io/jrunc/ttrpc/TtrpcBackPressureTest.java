package io.jrunc.ttrpc;

import static io.jrunc.ttrpc.TtrpcServerTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.BytesValue;
import com.google.protobuf.Int32Value;
import com.google.protobuf.StringValue;
import io.jrunc.proto.ttrpc.Response;
import io.netty.util.internal.PlatformDependent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A peer that sends but never reads must cost the server a bounded amount, and nobody else anything. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TtrpcBackPressureTest {

    private static final String S = TestService.NAME;
    private static final int ANSWER_BYTES = 64 * 1024;
    /** One answer frame as written: payload plus the Response and BytesValue envelopes and the header. */
    private static final int ANSWER_FRAME = ANSWER_BYTES + 64;

    @TempDir
    Path dir;

    private final TestService service = new TestService();
    private Path socket;
    private TtrpcServer server;

    @BeforeEach
    void start() {
        socket = dir.resolve("bp.sock");
        server = TtrpcServer.bind(socket, service.registry());
    }

    @AfterEach
    void stop() {
        server.close(Duration.ofMillis(200));
    }

    @Test
    void aPeerThatNeverReadsIsBoundedWhileOthersAreServedThenGetsEveryAnswer() throws Exception {
        int requests = 2500; // 160 MiB of answers if the server buffered them all
        long directBefore = PlatformDependent.usedDirectMemory();
        try (RawConnection hog = RawConnection.open(socket); TtrpcClient other = TtrpcClient.connect(socket)) {
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < requests; i++) {
                        hog.sendRequest(2 * i + 1, S, "Big", Int32Value.of(ANSWER_BYTES));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, command -> Thread.ofPlatform().start(command));

            // The server stops reading the hog once its unread answers pass the high water mark.
            // (Waits at most 3 s for it, so a server without back-pressure fails on the bounds below.)
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < settle && (statsOfHog() == null || statsOfHog().reading())) {
                Thread.sleep(10);
            }
            long maxOutbound = 0;
            long maxHeld = 0;
            long maxDirectGrowth = 0;
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < until) {
                ServerConnection.Stats s = statsOfHog();
                maxOutbound = Math.max(maxOutbound, s.outboundBytes());
                maxHeld = Math.max(maxHeld, s.heldAnswerBytes());
                assertTrue(s.callsInFlight() <= ServerConnection.MAX_CALLS_IN_FLIGHT, s.toString());
                maxDirectGrowth = Math.max(maxDirectGrowth, PlatformDependent.usedDirectMemory() - directBefore);
                // Others are served promptly meanwhile.
                long t0 = System.nanoTime();
                assertEquals("echo:hi", other.call(S, "Echo", StringValue.of("hi"), StringValue.parser()).getValue());
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "the other connection waited");
                Thread.sleep(20);
            }
            System.out.printf("TtrpcBackPressureTest: %d requests for %d-byte answers unread: outbound buffer max %d bytes,"
                    + " held answers max %d bytes, direct memory growth max %d bytes%n",
                    requests, ANSWER_BYTES, maxOutbound, maxHeld, maxDirectGrowth);
            long highWater = ServerConnection.WATER_MARK.high();
            assertTrue(maxOutbound > 0, "the hog's answers did pile up in the outbound buffer");
            assertTrue(maxOutbound <= highWater + ANSWER_FRAME,
                    "outbound buffer " + maxOutbound + " bytes, bound " + (highWater + ANSWER_FRAME));
            assertFalse(statsOfHog().reading(), "still reading from a peer that does not read");
            assertTrue(maxHeld <= (long) ServerConnection.MAX_CALLS_IN_FLIGHT * ANSWER_FRAME, "held " + maxHeld);
            if (directBefore >= 0) { // -1: Netty is not counting its direct memory on this JVM
                assertTrue(maxDirectGrowth < 32L << 20, "direct memory grew by " + maxDirectGrowth);
            }
            assertFalse(sender.isCompletedExceptionally());

            // The hog starts reading: every answer arrives, whole, exactly once.
            BitSet answered = new BitSet();
            for (int i = 0; i < requests; i++) {
                Frame frame = hog.readFrame(Duration.ofSeconds(10));
                assertEquals(Frame.TYPE_RESPONSE, frame.type());
                Response response = Response.parseFrom(frame.payload());
                assertFalse(response.hasStatus(), response.getStatus().toString());
                assertEquals(ANSWER_BYTES, BytesValue.parseFrom(response.getPayload()).getValue().size());
                int index = (int) ((frame.unsignedStreamId() - 1) / 2);
                assertFalse(answered.get(index), "stream " + frame.unsignedStreamId() + " answered twice");
                answered.set(index);
            }
            assertEquals(requests, answered.cardinality());
            sender.get(10, TimeUnit.SECONDS);
            waitFor(() -> {
                ServerConnection.Stats s = statsOfHog();
                return s.reading() && s.callsInFlight() == 0 && s.heldAnswerBytes() == 0 && s.framesUnprocessed() == 0;
            });
        }
    }

    @Test
    void callsInFlightPerConnectionAreCappedAndTheRestWaitTheirTurn() throws Exception {
        service.gate = new CountDownLatch(1);
        int extra = 8;
        int total = ServerConnection.MAX_CALLS_IN_FLIGHT + extra;
        try (RawConnection raw = RawConnection.open(socket)) {
            for (int i = 0; i < total; i++) {
                raw.sendRequest(2 * i + 1, S, "Gate", Int32Value.of(1000));
            }
            waitFor(() -> service.waitingAtGate.get() == ServerConnection.MAX_CALLS_IN_FLIGHT);
            Thread.sleep(200);
            assertEquals(ServerConnection.MAX_CALLS_IN_FLIGHT, service.waitingAtGate.get(), "no more than the cap ran");
            ServerConnection.Stats s = statsOfHog();
            // The rest were read but wait unprocessed, or still sit unread in the socket.
            assertTrue(s.framesUnprocessed() <= extra, s.toString());
            assertFalse(s.reading());
            service.gate.countDown();
            BitSet answered = new BitSet();
            for (int i = 0; i < total; i++) {
                Frame frame = raw.readFrame(Duration.ofSeconds(10));
                assertEquals(2000, Int32Value.parseFrom(Response.parseFrom(frame.payload()).getPayload()).getValue());
                answered.set((int) ((frame.unsignedStreamId() - 1) / 2));
            }
            assertEquals(total, answered.cardinality());
            assertEquals(total, service.waitingAtGate.get());
        }
    }

    /** The one raw connection's stats (the other connection, if any, holds nothing for long). */
    private ServerConnection.Stats statsOfHog() {
        List<ServerConnection.Stats> all = server.connectionStats();
        return all.stream().max((a, b) -> Long.compare(
                a.outboundBytes() + a.heldAnswerBytes() + a.callsInFlight() + (a.reading() ? 0 : 1L << 40),
                b.outboundBytes() + b.heldAnswerBytes() + b.callsInFlight() + (b.reading() ? 0 : 1L << 40)))
                .orElse(null);
    }
}
