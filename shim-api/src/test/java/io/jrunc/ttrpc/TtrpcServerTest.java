package io.jrunc.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.BytesValue;
import com.google.protobuf.Empty;
import com.google.protobuf.Int32Value;
import com.google.protobuf.Int64Value;
import com.google.protobuf.StringValue;
import io.jrunc.proto.ttrpc.Request;
import io.jrunc.proto.ttrpc.Response;
import io.jrunc.proto.ttrpc.Status;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TtrpcServerTest {

    private static final String S = TestService.NAME;
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final TestService service = new TestService();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private Path socket;
    private TtrpcServer server;

    @BeforeEach
    void start() {
        socket = dir.resolve("t.sock");
        server = TtrpcServer.bind(socket, service.registry());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : cleanup.reversed()) {
            c.close();
        }
        server.close(Duration.ofMillis(200));
    }

    private TtrpcClient client() throws IOException {
        TtrpcClient client = TtrpcClient.connect(socket);
        cleanup.add(client);
        return client;
    }

    private RawConnection raw() throws IOException {
        RawConnection raw = RawConnection.open(socket);
        cleanup.add(raw);
        return raw;
    }

    private static String echo(TtrpcClient client, String text) {
        return client.call(S, "Echo", StringValue.of(text), StringValue.parser()).getValue();
    }

    // --- basic calls -------------------------------------------------------------------------

    @Test
    void answersACallAndPassesMetadataAndDeadline() throws Exception {
        TtrpcClient client = client();
        CallOptions options = CallOptions.none()
                .withMetadata("containerd-namespace-ttrpc", "k8s.io")
                .withMetadata("Traceparent", "t1")
                .withMetadata("traceparent", "t2")
                .withTimeout(Duration.ofSeconds(30));
        long before = System.nanoTime();
        StringValue reply = client.call(S, "Echo", StringValue.of("hi"), StringValue.parser(), options);
        assertEquals("echo:hi", reply.getValue());
        RequestContext ctx = service.lastContext.get();
        assertEquals(S, ctx.service());
        assertEquals("Echo", ctx.method());
        assertEquals("k8s.io", ctx.firstMetadata("containerd-namespace-ttrpc").orElseThrow());
        assertEquals(List.of("t1", "t2"), ctx.metadata().get("traceparent"), "keys are folded to lower case, values kept in order");
        assertTrue(ctx.hasDeadline());
        long remaining = ctx.deadlineNanos() - before;
        assertTrue(remaining > TimeUnit.SECONDS.toNanos(29) && remaining <= TimeUnit.SECONDS.toNanos(31),
                "deadline about 30 s ahead, was " + remaining);
    }

    @Test
    void callWithoutTimeoutHasNoDeadline() throws Exception {
        echo(client(), "x");
        assertFalse(service.lastContext.get().hasDeadline());
        assertTrue(service.lastContext.get().metadata().isEmpty());
    }

    @Test
    void okResponseHasNoStatus() throws Exception {
        RawConnection raw = raw();
        raw.sendRequest(1, S, "Echo", StringValue.of("raw"));
        Response response = raw.readResponse(1, WAIT);
        assertFalse(response.hasStatus(), "OK is an absent status, as the Go server sends it");
        assertEquals("echo:raw", StringValue.parseFrom(response.getPayload()).getValue());
    }

    @Test
    void socketIsMode0600AndRemovedOnClose() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        server.close();
        assertTrue(server.closeFuture().isDone());
        assertFalse(Files.exists(socket), "bind() made the socket file, close() removes it");
    }

    @Test
    void bindOnAPathInUseFailsWithAddressInUse() throws IOException {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> TtrpcServer.bind(socket, service.registry()));
        assertTrue(e.getMessage().contains("Address already in use"), e.getMessage());
        assertTrue(e.getMessage().contains(socket.toString()), e.getMessage());
        assertInstanceOf(java.net.BindException.class, e.getCause());
        assertEquals("echo:mine", echo(client(), "mine"), "the live server keeps its socket");
    }

    @Test
    void bindRefusesAPathTooLongForTheKernel() {
        Path tooLong = dir.resolve("x".repeat(120));
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> TtrpcServer.bind(tooLong, service.registry()));
        assertTrue(e.getMessage().contains("limit is 107"), e.getMessage());
    }

    @Test
    void adoptsAnInheritedListeningFd() throws Exception {
        Path adopted = dir.resolve("adopted.sock");
        Socket listening = Socket.newSocketDomain();
        listening.bind(new DomainSocketAddress(adopted.toString()));
        listening.listen(16);
        TtrpcServer other = TtrpcServer.adopt(listening.intValue(), service.registry());
        try (TtrpcClient client = TtrpcClient.connect(adopted)) {
            assertEquals("echo:fd", echo(client, "fd"));
            assertEquals(1, other.activeConnections());
        } finally {
            other.close(Duration.ofMillis(200));
        }
        assertTrue(other.closeFuture().isDone());
        assertThrows(IOException.class, () -> TtrpcClient.connect(adopted), "the adopted fd is closed");
        Files.deleteIfExists(adopted);
    }

    @Test
    void adoptingAnFdThatIsNotOpenFails() throws Exception {
        Socket closed = Socket.newSocketDomain();
        int fd = closed.intValue();
        closed.close();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> TtrpcServer.adopt(fd, service.registry()));
        assertTrue(e.getMessage().contains("inherited fd " + fd), e.getMessage());
    }

    @Test
    void socketPathStripsUnixScheme() {
        assertEquals(Path.of("/run/containerd/containerd.sock.ttrpc"),
                TtrpcClient.socketPath("unix:///run/containerd/containerd.sock.ttrpc"));
        assertEquals(Path.of("/tmp/a.sock"), TtrpcClient.socketPath("/tmp/a.sock"));
        assertThrows(IllegalArgumentException.class, () -> TtrpcClient.socketPath("unix://"));
    }

    @Test
    void connectToMissingSocketFailsWithIOException() {
        IOException e = assertThrows(IOException.class, () -> TtrpcClient.connect(dir.resolve("none.sock")));
        assertTrue(e.getMessage().contains("none.sock"), e.getMessage());
    }

    // --- errors ------------------------------------------------------------------------------

    @Test
    void unknownServiceIsUnimplementedAndListsServices() throws Exception {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client().call("no.Such", "Echo", Empty.getDefaultInstance(), Empty.parser()));
        assertEquals(StatusCode.UNIMPLEMENTED, e.code());
        assertTrue(e.getMessage().startsWith("service no.Such"), e.getMessage());
        assertTrue(e.getMessage().contains(S), e.getMessage());
    }

    @Test
    void unknownMethodIsUnimplementedAndListsMethods() throws Exception {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client().call(S, "Frob", Empty.getDefaultInstance(), Empty.parser()));
        assertEquals(StatusCode.UNIMPLEMENTED, e.code());
        assertTrue(e.getMessage().startsWith("method Frob"), e.getMessage());
        assertTrue(e.getMessage().contains("Echo") && e.getMessage().contains("Sleep"), e.getMessage());
    }

    @Test
    void undecodablePayloadIsInvalidArgument() throws Exception {
        RawConnection raw = raw();
        // Field 1 as a length-delimited string claiming 100 bytes that are not there.
        Request bad = Request.newBuilder().setService(S).setMethod("Echo")
                .setPayload(com.google.protobuf.ByteString.copyFrom(new byte[] {0x0a, 100, 1, 2})).build();
        raw.sendRequest(1, bad);
        Status status = raw.readStatus(1);
        assertEquals(StatusCode.INVALID_ARGUMENT.value(), status.getCode());
        assertTrue(status.getMessage().startsWith("unmarshal request error"), status.getMessage());
        assertEquals(0, service.calls.get(), "the handler never ran");
    }

    @Test
    void undecodableRequestEnvelopeIsInvalidArgumentAndConnectionSurvives() throws Exception {
        RawConnection raw = raw();
        raw.sendFrame(1, Frame.TYPE_REQUEST, 0, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
        Status status = raw.readStatus(1);
        assertEquals(StatusCode.INVALID_ARGUMENT.value(), status.getCode());
        assertTrue(status.getMessage().startsWith("unmarshal request error"), status.getMessage());
        raw.sendRequest(3, S, "Echo", StringValue.of("still here"));
        assertFalse(raw.readResponse(3, WAIT).hasStatus());
    }

    @Test
    void handlerExceptionsBecomeStatuses() throws Exception {
        TtrpcClient client = client();
        assertFailure(client, "notfound", StatusCode.NOT_FOUND, "no such thing");
        assertFailure(client, "runtime", StatusCode.UNKNOWN, "boom");
        assertFailure(client, "checked", StatusCode.UNKNOWN, "disk on fire");
        assertFailure(client, "nomessage", StatusCode.UNKNOWN, "java.lang.NullPointerException");
        assertFailure(client, "error", StatusCode.UNKNOWN, "deep");
        assertFailure(client, "null", StatusCode.UNKNOWN, "returned no response");
        // None of that hurt the server or the connection.
        assertEquals("echo:ok", echo(client, "ok"));
    }

    @Test
    void nonBlockingHandlersRunOnTheEventLoopWithTheSameStatuses() throws Exception {
        TtrpcClient client = client();
        assertEquals("loop:x", client.call(S, "EchoOnLoop", StringValue.of("x"), StringValue.parser()).getValue());
        assertEquals("echo:y", echo(client, "y"), "worker methods still run off the loop");
        for (String[] failure : new String[][] {{"notfound", "NOT_FOUND", "no such thing"},
                {"runtime", "UNKNOWN", "boom"}, {"null", "UNKNOWN", "returned no response"}}) {
            TtrpcException e = assertThrows(TtrpcException.class,
                    () -> client.call(S, "FailOnLoop", StringValue.of(failure[0]), Empty.parser()));
            assertEquals(StatusCode.valueOf(failure[1]), e.code(), failure[0]);
            assertTrue(e.getMessage().contains(failure[2]), failure[0] + ": " + e.getMessage());
        }
        assertEquals("loop:z", client.call(S, "EchoOnLoop", StringValue.of("z"), StringValue.parser()).getValue());
    }

    @Test
    void nonBlockingHandlerThatOverrunsItsDeadlineIsDeadlineExceeded() throws Exception {
        RawConnection raw = raw();
        raw.sendRequest(1, Request.newBuilder().setService(S).setMethod("FailOnLoop")
                .setPayload(StringValue.of("spin").toByteString())
                .setTimeoutNano(TimeUnit.MILLISECONDS.toNanos(10)).build());
        assertEquals(StatusCode.DEADLINE_EXCEEDED.value(), raw.readStatus(1).getCode());
        raw.sendRequest(3, Request.newBuilder().setService(S).setMethod("EchoOnLoop")
                .setPayload(StringValue.of("in time").toByteString())
                .setTimeoutNano(TimeUnit.SECONDS.toNanos(5)).build());
        assertEquals("loop:in time", StringValue.parseFrom(raw.readResponse(3, WAIT).getPayload()).getValue());
        assertTrue(service.lastContext.get().hasDeadline());
    }

    private static void assertFailure(TtrpcClient client, String kind, StatusCode code, String text) {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call(S, "Fail", StringValue.of(kind), Empty.parser()));
        assertEquals(code, e.code(), kind);
        assertTrue(e.getMessage().contains(text), kind + ": " + e.getMessage());
    }

    @Test
    void evenStreamIdIsInvalidArgument() throws Exception {
        RawConnection raw = raw();
        raw.sendRequest(2, S, "Echo", StringValue.of("x"));
        Status status = raw.readStatus(2);
        assertEquals(StatusCode.INVALID_ARGUMENT.value(), status.getCode());
        assertTrue(status.getMessage().contains("odd"), status.getMessage());
        assertEquals(0, service.calls.get());
    }

    @Test
    void reusedStreamIdIsInvalidArgument() throws Exception {
        RawConnection raw = raw();
        raw.sendRequest(5, S, "Echo", StringValue.of("x"));
        assertFalse(raw.readResponse(5, WAIT).hasStatus());
        raw.sendRequest(3, S, "Echo", StringValue.of("y"));
        Status status = raw.readStatus(3);
        assertEquals(StatusCode.INVALID_ARGUMENT.value(), status.getCode());
        assertTrue(status.getMessage().contains("re-used"), status.getMessage());
    }

    @Test
    void dataFrameForUnknownStreamIsInvalidArgument() throws Exception {
        RawConnection raw = raw();
        raw.sendFrame(7, Frame.TYPE_DATA, Frame.FLAG_REMOTE_CLOSED, new byte[] {1, 2});
        Status status = raw.readStatus(7);
        assertEquals(StatusCode.INVALID_ARGUMENT.value(), status.getCode());
        assertTrue(status.getMessage().contains("no active call"), status.getMessage());
    }

    @Test
    void unknownMessageTypesAndStrayResponsesAreIgnored() throws Exception {
        RawConnection raw = raw();
        raw.sendFrame(1, 0x42, 0, new byte[] {9, 9, 9});
        raw.sendFrame(3, Frame.TYPE_RESPONSE, 0, new byte[0]);
        raw.sendFrame(5, Frame.TYPE_REQUEST, Frame.FLAG_REMOTE_CLOSED,
                Request.newBuilder().setService(S).setMethod("Echo")
                        .setPayload(StringValue.of("after").toByteString()).build().toByteArray());
        Response response = raw.readResponse(5, WAIT); // the first frame back answers stream 5
        assertEquals("echo:after", StringValue.parseFrom(response.getPayload()).getValue());
    }

    @Test
    void oversizedFrameGetsResourceExhaustedAndConnectionKeepsWorking() throws Exception {
        RawConnection raw = raw();
        int length = Frame.MAX_PAYLOAD + 1024;
        raw.send(RawConnection.header(length, 1, Frame.TYPE_REQUEST, 0));
        byte[] chunk = new byte[256 * 1024];
        for (int sent = 0; sent < length; sent += chunk.length) {
            raw.send(java.util.Arrays.copyOf(chunk, Math.min(chunk.length, length - sent)));
        }
        Status status = raw.readStatus(1);
        assertEquals(StatusCode.RESOURCE_EXHAUSTED.value(), status.getCode());
        assertTrue(status.getMessage().contains("exceeds maximum message size"), status.getMessage());
        raw.sendRequest(3, S, "Echo", StringValue.of("alive"));
        assertEquals("echo:alive", StringValue.parseFrom(raw.readResponse(3, WAIT).getPayload()).getValue());
    }

    @Test
    void clientRefusesToSendMoreThan4MiB() throws Exception {
        TtrpcClient client = client();
        BytesValue big = BytesValue.of(com.google.protobuf.ByteString.copyFrom(new byte[Frame.MAX_PAYLOAD]));
        TtrpcException e = assertThrows(TtrpcException.class, () -> client.call(S, "Echo", big, Empty.parser()));
        assertEquals(StatusCode.RESOURCE_EXHAUSTED, e.code());
        assertEquals(0, service.calls.get(), "nothing reached the server");
        assertEquals("echo:fine", echo(client, "fine"));
    }

    @Test
    void responseOver4MiBBecomesResourceExhausted() throws Exception {
        TtrpcClient client = client();
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> client.call(S, "Big", Int32Value.of(Frame.MAX_PAYLOAD), BytesValue.parser()));
        assertEquals(StatusCode.RESOURCE_EXHAUSTED, e.code());
        // Just under the limit still goes through.
        BytesValue ok = client.call(S, "Big", Int32Value.of(Frame.MAX_PAYLOAD - 64), BytesValue.parser());
        assertEquals(Frame.MAX_PAYLOAD - 64, ok.getValue().size());
    }

    @Test
    void garbageBytesDoNotHurtTheServer() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            try (RawConnection raw = RawConnection.open(socket)) {
                byte[] garbage = new byte[1 + random.nextInt(4096)];
                random.nextBytes(garbage);
                raw.send(garbage);
            }
        }
        // A frame with a sane header around garbage gets a status rather than a crash.
        RawConnection raw = raw();
        byte[] garbage = new byte[300];
        random.nextBytes(garbage);
        raw.sendFrame(1, Frame.TYPE_REQUEST, 0, garbage);
        assertEquals(StatusCode.INVALID_ARGUMENT.value(), raw.readStatus(1).getCode());
        assertEquals("echo:survived", echo(client(), "survived"));
    }

    // --- concurrency and deadlines -------------------------------------------------------------

    @Test
    void manyConcurrentCallsOnOneConnectionCompleteOutOfOrder() throws Exception {
        TtrpcClient client = client();
        service.gate = new CountDownLatch(1);
        int n = 200;
        List<CompletableFuture<Int32Value>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(client.callAsync(S, "Gate", Int32Value.of(i), Int32Value.parser(), CallOptions.none()));
        }
        waitFor(() -> service.waitingAtGate.get() == n); // all 200 handlers running at once
        assertEquals(n, client.pendingCalls());
        service.gate.countDown();
        for (int i = 0; i < n; i++) {
            assertEquals(i * 2, futures.get(i).get(20, TimeUnit.SECONDS).getValue());
        }
        List<Integer> order = new ArrayList<>(service.completionOrder);
        assertEquals(n, order.size());
        assertTrue(order.indexOf(n - 1) < order.indexOf(0),
                "a later request finished (and was answered) before an earlier one: " + order.subList(0, 10));
        assertEquals(0, client.pendingCalls());
    }

    @Test
    void manyThreadsSharingOneClientKeepStreamIdsIncreasingOnTheWire() throws Exception {
        // The server rejects an id lower than one it has seen; a client that numbered requests on the
        // calling threads would lose that race here.
        TtrpcClient client = client();
        int threads = 16;
        int perThread = 300;
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perThread; i++) {
                    assertEquals("echo:" + id + "/" + i, echo(client, id + "/" + i));
                }
            }, command -> Thread.ofPlatform().start(command)));
        }
        for (CompletableFuture<Void> w : workers) {
            join(w);
        }
        assertEquals(threads * perThread, service.calls.get());
    }

    @Test
    void clientTimeoutIsDeadlineExceededAndTheServerHonoursIt() throws Exception {
        TtrpcClient client = client();
        long start = System.nanoTime();
        TtrpcException e = assertThrows(TtrpcException.class, () -> client.call(S, "Sleep",
                Int64Value.of(60_000), Empty.parser(), CallOptions.none().withTimeout(Duration.ofMillis(300))));
        long took = System.nanoTime() - start;
        assertEquals(StatusCode.DEADLINE_EXCEEDED, e.code());
        assertTrue(took < TimeUnit.SECONDS.toNanos(5), "gave up after " + took / 1_000_000 + " ms");
        assertTrue(service.lastContext.get().hasDeadline(), "timeout_nano reached the server");
        assertTrue(service.sleeperInterrupted.await(5, TimeUnit.SECONDS), "the server interrupted the handler");
        assertEquals(0, client.pendingCalls());
        assertEquals("echo:next", echo(client, "next"));
    }

    @Test
    void serverAnswersDeadlineExceededItselfAndDropsTheLateResult() throws Exception {
        RawConnection raw = raw();
        raw.sendRequest(1, Request.newBuilder().setService(S).setMethod("Stubborn")
                .setPayload(Int64Value.of(800).toByteString())
                .setTimeoutNano(TimeUnit.MILLISECONDS.toNanos(200)).build());
        Status status = raw.readStatus(1);
        // The handler would have answered OK ("late"): this status can only come from the deadline.
        assertEquals(StatusCode.DEADLINE_EXCEEDED.value(), status.getCode());
        assertFalse(service.stubbornFinished.await(0, TimeUnit.MILLISECONDS), "answered before the handler finished");
        assertTrue(service.sleeperInterrupted.await(5, TimeUnit.SECONDS), "handler thread interrupted");
        assertTrue(service.stubbornFinished.await(5, TimeUnit.SECONDS));
        Thread.sleep(100);
        raw.sendRequest(3, S, "Echo", StringValue.of("next"));
        // The next frame must answer stream 3: the stubborn handler's late result was dropped.
        assertEquals("echo:next", StringValue.parseFrom(raw.readResponse(3, WAIT).getPayload()).getValue());
    }

    @Test
    void zeroOrNegativeTimeoutMeansNoDeadline() throws Exception {
        // ttrpc treats timeout_nano <= 0 as "no deadline"; only a positive one sets a deadline.
        RawConnection raw = raw();
        int stream = 1;
        for (long timeout : new long[] {-1, Long.MIN_VALUE, 0}) {
            raw.sendRequest(stream, Request.newBuilder().setService(S).setMethod("Sleep")
                    .setPayload(Int64Value.of(50).toByteString()).setTimeoutNano(timeout).build());
            Response response = raw.readResponse(stream, WAIT);
            assertFalse(response.hasStatus(), timeout + ": " + response.getStatus());
            assertFalse(service.lastContext.get().hasDeadline(), timeout + " gave the handler a deadline");
            stream += 2;
        }
        raw.sendRequest(stream, Request.newBuilder().setService(S).setMethod("Sleep")
                .setPayload(Int64Value.of(50).toByteString()).setTimeoutNano(TimeUnit.SECONDS.toNanos(10)).build());
        assertFalse(raw.readResponse(stream, WAIT).hasStatus());
        assertTrue(service.lastContext.get().hasDeadline(), "control: a positive timeout is a deadline");
    }

    // --- connection loss and shutdown ----------------------------------------------------------

    @Test
    void peerDisconnectingMidFrameLeavesTheServerServing() throws Exception {
        for (int cut : new int[] {3, 10, 25}) {
            try (RawConnection raw = RawConnection.open(socket)) {
                byte[] request = Request.newBuilder().setService(S).setMethod("Echo")
                        .setPayload(StringValue.of("cut").toByteString()).build().toByteArray();
                byte[] frame = new byte[Frame.HEADER_LENGTH + request.length];
                System.arraycopy(RawConnection.header(request.length, 1, Frame.TYPE_REQUEST, 0), 0, frame, 0, Frame.HEADER_LENGTH);
                System.arraycopy(request, 0, frame, Frame.HEADER_LENGTH, request.length);
                raw.send(java.util.Arrays.copyOf(frame, cut));
            }
        }
        // A peer that leaves while its call runs: the handler is interrupted.
        RawConnection leaving = RawConnection.open(socket);
        leaving.sendRequest(1, S, "Sleep", Int64Value.of(60_000));
        waitFor(() -> service.lastContext.get() != null);
        leaving.close();
        assertTrue(service.sleeperInterrupted.await(5, TimeUnit.SECONDS), "the orphaned call was cancelled");
        waitFor(() -> server.activeConnections() == 0);
        assertEquals("echo:ok", echo(client(), "ok"));
    }

    @Test
    void pendingClientCallsFailUnavailableWhenTheServerGoesAway() throws Exception {
        TtrpcClient client = client();
        CompletableFuture<Empty> pending = client.callAsync(S, "Sleep", Int64Value.of(60_000), Empty.parser(), CallOptions.none());
        waitFor(() -> service.lastContext.get() != null);
        server.close(Duration.ofMillis(100)); // grace passes, the connection is closed under the call
        TtrpcException e = assertThrows(TtrpcException.class, () -> join(pending));
        assertEquals(StatusCode.UNAVAILABLE, e.code());
        waitFor(() -> !client.isActive());
        TtrpcException after = assertThrows(TtrpcException.class, () -> echo(client, "late"));
        assertEquals(StatusCode.UNAVAILABLE, after.code());
    }

    @Test
    void closeLetsRunningCallsAnswerFirst() throws Exception {
        TtrpcClient client = client();
        CompletableFuture<Empty> running = client.callAsync(S, "Sleep", Int64Value.of(300), Empty.parser(), CallOptions.none());
        waitFor(() -> service.lastContext.get() != null);
        assertEquals(1, server.activeConnections());
        server.close(Duration.ofSeconds(5));
        assertEquals(Empty.getDefaultInstance(), running.get(1, TimeUnit.SECONDS), "answered before the connection closed");
        assertTrue(server.closeFuture().isDone());
        assertEquals(0, server.activeConnections());
        assertThrows(IOException.class, () -> TtrpcClient.connect(socket), "no longer accepting");
    }

    @Test
    void closeFromInsideAHandlerDoesNotDeadlock() throws Exception {
        CompletableFuture<TtrpcServer> self = new CompletableFuture<>();
        ServiceRegistry registry = ServiceRegistry.builder()
                .unary("jrunc.test.Shim", "Shutdown", Empty.parser(), (ctx, r) -> {
                    self.join().close(Duration.ofSeconds(5));
                    return StringValue.of("bye");
                })
                .build();
        Path path = dir.resolve("shutdown.sock");
        TtrpcServer shim = TtrpcServer.bind(path, registry);
        self.complete(shim);
        try (TtrpcClient client = TtrpcClient.connect(path)) {
            long start = System.nanoTime();
            StringValue bye = client.call("jrunc.test.Shim", "Shutdown", Empty.getDefaultInstance(), StringValue.parser());
            assertEquals("bye", bye.getValue());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "close() did not wait on its own call");
            shim.closeFuture().get(5, TimeUnit.SECONDS);
            waitFor(() -> !client.isActive());
        }
    }

    @Test
    void refusesPeersRunningAsAnotherUser() throws Exception {
        assumeTrue(ProcessCredentials.effective().uid() == 0, "needs root to run a peer as another user");
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "needs /usr/bin/python3 as the foreign peer");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        String script = """
                import socket, struct, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                body = bytes.fromhex(sys.argv[2])
                s.settimeout(5)
                try:
                    s.sendall(struct.pack('>IIBB', len(body), 1, 1, 0) + body)
                    data = s.recv(4096)
                except (BrokenPipeError, ConnectionResetError):
                    data = b''
                print('answered' if data else 'closed')
                """;
        String request = java.util.HexFormat.of().formatHex(Request.newBuilder().setService(S).setMethod("Echo")
                .setPayload(StringValue.of("who").toByteString()).build().toByteArray());
        assertEquals("answered", runPeer(List.of(python.toString(), "-c", script, socket.toString(), request)),
                "control: a peer running as our own user gets an answer");
        assertEquals("closed", runPeer(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                python.toString(), "-c", script, socket.toString(), request)));
    }

    private static String runPeer(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "peer finished");
            return new String(p.getInputStream().readAllBytes()).trim();
        } finally {
            p.destroyForcibly();
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private static <T> T join(CompletableFuture<T> future) throws Exception {
        try {
            return future.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
