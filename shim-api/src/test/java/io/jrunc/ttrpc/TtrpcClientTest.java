package io.jrunc.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.StringValue;
import io.jrunc.proto.ttrpc.KeyValue;
import io.jrunc.proto.ttrpc.Request;
import io.jrunc.proto.ttrpc.Response;
import io.jrunc.proto.ttrpc.Status;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client against a hand-driven peer (JDK sockets), to see exactly what it writes and how it reads. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TtrpcClientTest {

    @TempDir
    Path dir;

    private ServerSocketChannel listener;
    private SocketChannel peer;
    private DataInputStream in;
    private OutputStream out;
    private TtrpcClient client;

    @BeforeEach
    void connect() throws IOException {
        Path socket = dir.resolve("peer.sock");
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        client = TtrpcClient.connect("unix://" + socket);
        peer = listener.accept();
        in = new DataInputStream(Channels.newInputStream(peer));
        out = Channels.newOutputStream(peer);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        peer.close();
        listener.close();
    }

    private Frame readFrame() throws IOException {
        int length = in.readInt();
        int stream = in.readInt();
        byte type = in.readByte();
        byte flags = in.readByte();
        byte[] payload = in.readNBytes(length);
        return new Frame(stream, type, flags, payload);
    }

    private void reply(int streamId, Response response) throws IOException {
        byte[] body = response.toByteArray();
        out.write(RawConnection.header(body.length, streamId, Frame.TYPE_RESPONSE, 0));
        out.write(body);
        out.flush();
    }

    private CompletableFuture<StringValue> call(String text, CallOptions options) {
        return client.callAsync("peer.Svc", "Do", StringValue.of(text), StringValue.parser(), options);
    }

    private static TtrpcException failure(CompletableFuture<?> future) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        return (TtrpcException) e.getCause();
    }

    @Test
    void writesUnaryRequestsWithOddIncreasingIdsAndMapsOutOfOrderReplies() throws Exception {
        CompletableFuture<StringValue> a = call("a", CallOptions.none());
        CompletableFuture<StringValue> b = call("b", CallOptions.none()
                .withMetadata("containerd-namespace-ttrpc", "ns1").withTimeout(Duration.ofSeconds(7)));
        CompletableFuture<StringValue> c = call("c", CallOptions.none());
        Frame fa = readFrame();
        Frame fb = readFrame();
        Frame fc = readFrame();
        assertEquals(List.of(1, 3, 5), List.of(fa.streamId(), fb.streamId(), fc.streamId()));
        for (Frame f : List.of(fa, fb, fc)) {
            assertEquals(Frame.TYPE_REQUEST, f.type());
            assertEquals(0, f.flags(), "unary requests carry no flags");
        }
        Request ra = Request.parseFrom(fa.payload());
        Request rb = Request.parseFrom(fb.payload());
        assertEquals("peer.Svc", ra.getService());
        assertEquals("Do", ra.getMethod());
        assertEquals(StringValue.of("a").toByteString(), ra.getPayload());
        assertEquals(0, ra.getTimeoutNano());
        assertEquals(TimeUnit.SECONDS.toNanos(7), rb.getTimeoutNano());
        assertEquals(List.of(KeyValue.newBuilder().setKey("containerd-namespace-ttrpc").setValue("ns1").build()),
                rb.getMetadataList());

        // Answer out of order: c, then an error for b, then a.
        reply(5, Response.newBuilder().setPayload(StringValue.of("C").toByteString()).build());
        reply(3, Response.newBuilder().setStatus(Status.newBuilder().setCode(5).setMessage("gone")).build());
        assertEquals("C", c.get(5, TimeUnit.SECONDS).getValue());
        TtrpcException e = failure(b);
        assertEquals(StatusCode.NOT_FOUND, e.code());
        assertEquals("gone", e.getMessage());
        assertFalse(a.isDone());
        // An explicit OK status with a payload is also success.
        reply(1, Response.newBuilder().setStatus(Status.newBuilder().setCode(0))
                .setPayload(StringValue.of("A").toByteString()).build());
        assertEquals("A", a.get(5, TimeUnit.SECONDS).getValue());
        assertEquals(0, client.pendingCalls());
    }

    @Test
    void undecodableResponsePayloadFailsThatCallOnly() throws Exception {
        CompletableFuture<StringValue> bad = call("x", CallOptions.none());
        CompletableFuture<StringValue> good = call("y", CallOptions.none());
        readFrame();
        readFrame();
        reply(1, Response.newBuilder().setPayload(com.google.protobuf.ByteString.copyFrom(new byte[] {0x0a, 50})).build());
        assertEquals(StatusCode.INTERNAL, failure(bad).code());
        reply(3, Response.newBuilder().setPayload(StringValue.of("fine").toByteString()).build());
        assertEquals("fine", good.get(5, TimeUnit.SECONDS).getValue());
    }

    @Test
    void timeoutFailsTheCallAndALateReplyIsIgnored() throws Exception {
        CompletableFuture<StringValue> slow = call("slow", CallOptions.none().withTimeout(Duration.ofMillis(200)));
        readFrame();
        TtrpcException e = failure(slow);
        assertEquals(StatusCode.DEADLINE_EXCEEDED, e.code());
        assertEquals(0, client.pendingCalls());
        reply(1, Response.newBuilder().setPayload(StringValue.of("late").toByteString()).build());
        CompletableFuture<StringValue> next = call("next", CallOptions.none());
        assertEquals(3, readFrame().streamId());
        reply(3, Response.newBuilder().setPayload(StringValue.of("ok").toByteString()).build());
        assertEquals("ok", next.get(5, TimeUnit.SECONDS).getValue());
    }

    @Test
    void peerDisconnectingMidFrameFailsPendingCallsUnavailable() throws Exception {
        CompletableFuture<StringValue> first = call("1", CallOptions.none());
        CompletableFuture<StringValue> second = call("2", CallOptions.none());
        readFrame();
        readFrame();
        byte[] body = Response.newBuilder().setPayload(StringValue.of("partial").toByteString()).build().toByteArray();
        out.write(RawConnection.header(body.length, 1, Frame.TYPE_RESPONSE, 0));
        out.write(body, 0, body.length / 2);
        out.flush();
        peer.close();
        assertEquals(StatusCode.UNAVAILABLE, failure(first).code());
        assertEquals(StatusCode.UNAVAILABLE, failure(second).code());
        TtrpcServerTest.waitFor(() -> !client.isActive());
        assertEquals(StatusCode.UNAVAILABLE, failure(call("3", CallOptions.none())).code());
    }

    @Test
    void oversizedResponseFailsThatCallWithResourceExhausted() throws Exception {
        CompletableFuture<StringValue> big = call("big", CallOptions.none());
        CompletableFuture<StringValue> after = call("after", CallOptions.none());
        readFrame();
        readFrame();
        int length = Frame.MAX_PAYLOAD + 1;
        out.write(RawConnection.header(length, 1, Frame.TYPE_RESPONSE, 0));
        out.write(new byte[length]);
        reply(3, Response.newBuilder().setPayload(StringValue.of("small").toByteString()).build());
        assertEquals(StatusCode.RESOURCE_EXHAUSTED, failure(big).code());
        assertEquals("small", after.get(5, TimeUnit.SECONDS).getValue());
    }

    @Test
    void interruptingABlockingCallCancelsIt() throws Exception {
        CompletableFuture<TtrpcException> thrown = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                client.call("peer.Svc", "Do", StringValue.of("x"), StringValue.parser());
                thrown.complete(null);
            } catch (TtrpcException e) {
                thrown.complete(e);
            }
        });
        readFrame();
        caller.interrupt();
        TtrpcException e = thrown.get(5, TimeUnit.SECONDS);
        assertEquals(StatusCode.CANCELLED, e.code());
        caller.join();
        TtrpcServerTest.waitFor(() -> client.pendingCalls() == 0);
        assertTrue(client.isActive());
    }
}
