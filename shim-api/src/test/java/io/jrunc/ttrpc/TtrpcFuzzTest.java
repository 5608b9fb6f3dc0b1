package io.jrunc.ttrpc;

import static io.jrunc.ttrpc.TtrpcServerTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.CreateTaskResponse;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.PidsRequest;
import io.jrunc.proto.task.v2.PidsResponse;
import io.jrunc.proto.task.v2.ShutdownRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.task.v2.StartResponse;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.task.v2.WaitRequest;
import io.jrunc.proto.task.v2.WaitResponse;
import io.jrunc.proto.ttrpc.KeyValue;
import io.jrunc.proto.ttrpc.Request;
import io.jrunc.proto.ttrpc.Response;
import io.jrunc.shim.task.TaskService;
import io.jrunc.shim.task.TaskServiceBinding;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throws generated hostile input at the real server, codec and dispatch, with the Task service
 * binding behind it. Every malformed frame must get ttrpc's answer (a status with the right code),
 * or, for input that breaks the framing, a closed connection; never a crash, hang or leak.
 *
 * <p>The seed is printed; replay a run with {@code -Djrunc.fuzz.seed=N} ({@code -Djrunc.fuzz.frames=N}
 * changes the volume). Workers run concurrently, so a replay repeats each worker's inputs exactly,
 * not the interleaving between them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TtrpcFuzzTest {

    private static final String TASK = TaskServiceBinding.SERVICE_NAMES.getFirst();
    private static final int WORKERS = 3;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final FakeTasks tasks = new FakeTasks();
    private final ConcurrentLinkedQueue<String> leaks = new ConcurrentLinkedQueue<>();
    private ResourceLeakDetector.Level previousLevel;
    private Path socket;
    private TtrpcServer server;

    @BeforeEach
    void start() throws Exception {
        previousLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        byteBufLeakDetector().setLeakListener((type, records) -> leaks.add(type + ": " + records));
        socket = dir.resolve("fuzz.sock");
        server = TtrpcServer.bind(socket, TaskServiceBinding.bind(ServiceRegistry.builder(), tasks).build());
    }

    @AfterEach
    void stop() throws Exception {
        server.close(Duration.ofMillis(200));
        byteBufLeakDetector().setLeakListener(null);
        ResourceLeakDetector.setLevel(previousLevel);
    }

    /** The detector every ByteBuf is tracked by (Netty has no public handle on it). */
    private static ResourceLeakDetector<?> byteBufLeakDetector() throws ReflectiveOperationException {
        Field field = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
        field.setAccessible(true);
        return (ResourceLeakDetector<?>) field.get(null);
    }

    @Test
    void hostileFramesGetStatusesOrAClosedConnectionAndLeakNothing() throws Exception {
        long seed = Long.getLong("jrunc.fuzz.seed", new Random().nextLong());
        int frames = Integer.getInteger("jrunc.fuzz.frames", 100_000);
        System.out.println("TtrpcFuzzTest: seed " + seed + " (replay with -Djrunc.fuzz.seed=" + seed + "), "
                + frames + " frames");

        // Warm up so lazily started threads (event loop, carriers) and pooled buffers are part of the baseline.
        runWorkers(seed ^ 0x5DEECE66DL, 2_000);
        awaitQuiet();
        long fdsBefore = openFds();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();

        long start = System.nanoTime();
        List<Stats> stats = runWorkers(seed, frames);
        long sent = stats.stream().mapToLong(Stats::frames).sum();
        long answered = stats.stream().mapToLong(Stats::answers).sum();
        System.out.printf("TtrpcFuzzTest: %d frames, %d answers checked, %d connections in %d ms%n", sent, answered,
                stats.stream().mapToLong(Stats::connections).sum(), (System.nanoTime() - start) / 1_000_000);
        assertTrue(sent >= frames, "sent " + sent);

        // Afterwards: a valid call is answered correctly and nothing leaked.
        try (TtrpcClient client = TtrpcClient.connect(socket)) {
            StateResponse state = client.call(TASK, "State", StateRequest.newBuilder().setId("after").build(),
                    StateResponse.parser());
            assertEquals("after", state.getId());
            assertEquals(FakeTasks.PID, state.getPid());
        }
        awaitQuiet();
        assertEquals(0, tasks.running.get(), "handlers still running");
        long fdsAfter = openFds();
        assertTrue(fdsAfter <= fdsBefore + 2, "fds: " + fdsBefore + " before, " + fdsAfter + " after");
        int threadsAfter = ManagementFactory.getThreadMXBean().getThreadCount();
        assertTrue(threadsAfter <= threadsBefore + 8, "threads: " + threadsBefore + " before, " + threadsAfter + " after");
        // Leaked buffers are reported when the collector finds them and the detector next tracks one.
        for (int i = 0; i < 3 && leaks.isEmpty(); i++) {
            System.gc();
            Thread.sleep(100);
            io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(16).release();
            io.netty.buffer.ByteBufAllocator.DEFAULT.heapBuffer(16).release();
        }
        assertEquals(List.of(), List.copyOf(leaks), "leaked buffers (seed " + seed + ")");
    }

    private void awaitQuiet() throws InterruptedException {
        waitFor(() -> server.activeConnections() == 0 && tasks.running.get() == 0);
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    record Stats(long frames, long answers, long connections) {}

    private List<Stats> runWorkers(long seed, int frames) throws Exception {
        List<CompletableFuture<Stats>> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            Worker worker = new Worker(new Random(seed + w), frames / WORKERS + (w < frames % WORKERS ? 1 : 0), seed, w);
            workers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return worker.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, command -> Thread.ofPlatform().name("fuzz-" + worker.index).start(command)));
        }
        List<Stats> stats = new ArrayList<>();
        for (CompletableFuture<Stats> worker : workers) {
            try {
                stats.add(worker.get(100, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause() instanceof IllegalStateException ise && ise.getCause() != null
                        ? ise.getCause() : e.getCause();
                if (cause instanceof AssertionError assertion) {
                    throw assertion;
                }
                throw new AssertionError("fuzz worker failed (seed " + seed + ")", cause);
            }
        }
        return stats;
    }

    /** What an answer on one stream may be. */
    private record Expected(String what, Predicate<Response> accepts) {}

    private static Expected status(String what, StatusCode... codes) {
        Set<StatusCode> allowed = EnumSet.of(codes[0], codes);
        return new Expected(what + " -> " + allowed, r -> allowed.contains(code(r)));
    }

    private static StatusCode code(Response response) {
        return response.hasStatus() ? StatusCode.of(response.getStatus().getCode()) : StatusCode.OK;
    }

    /** One client: sends batches of generated frames on a connection and checks every answer. */
    private final class Worker {
        private final Random random;
        private final int quota;
        private final long seed;
        private final int index;
        private long frames;
        private long answers;
        private long connections;
        private int oversizedBodies;
        private int exactLimitFrames;

        private RawConnection conn;
        /** The highest stream id the server accepted on this connection (it tracks the same). */
        private long lastStreamId;
        /** Every call up to this stream id has been answered. */
        private long answeredUpTo;
        private final Map<Integer, List<Expected>> expected = new HashMap<>();
        private int pending;

        Worker(Random random, int quota, long seed, int index) {
            this.random = random;
            this.quota = quota;
            this.seed = seed;
            this.index = index;
        }

        Stats run() throws IOException {
            try {
                while (frames < quota) {
                    if (conn == null) {
                        reconnect();
                    }
                    int roll = random.nextInt(1000);
                    if (roll < 8) {
                        throwawayConnection();
                    } else if (roll < 30) {
                        closeWithCallsInFlight();
                    } else {
                        batch(1 + random.nextInt(32));
                    }
                }
            } finally {
                if (conn != null) {
                    conn.close();
                }
            }
            return new Stats(frames, answers, connections);
        }

        private void reconnect() throws IOException {
            if (conn != null) {
                conn.close();
            }
            conn = RawConnection.open(socket);
            connections++;
            lastStreamId = 0;
            answeredUpTo = 0;
            expected.clear();
            pending = 0;
        }

        private void batch(int size) throws IOException {
            for (int i = 0; i < size && lastStreamId < 0xFFFF_FF00L; i++) {
                sendOne();
                frames++;
            }
            readExpected();
            answeredUpTo = lastStreamId;
            if (lastStreamId >= 0xFFFF_FF00L) {
                reconnect(); // stream ids exhausted: every request would be "re-used" from here on
            }
        }

        private void sendOne() throws IOException {
            int kind = random.nextInt(100);
            if (kind < 25) {
                validCall();
            } else if (kind < 30) {
                int id = nextId();
                conn.sendFrame(id, Frame.TYPE_REQUEST, randomFlags(), new byte[0]);
                expect(id, status("empty request", StatusCode.UNIMPLEMENTED)); // no service named ""
            } else if (kind < 37) {
                int id = random.nextInt(4) == 0 ? 0 : 2 * random.nextInt(Integer.MAX_VALUE / 2);
                conn.sendFrame(id, Frame.TYPE_REQUEST, randomFlags(), stateRequest("even").toByteArray());
                expect(id, status("even stream id " + Integer.toUnsignedString(id), StatusCode.INVALID_ARGUMENT));
            } else if (kind < 43 && answeredUpTo > 0) {
                // Re-uses an id already answered, so its only answer now is this error.
                int id = (int) (1 + 2 * (long) random.nextInt((int) Math.min(Integer.MAX_VALUE, (answeredUpTo + 1) / 2)));
                conn.sendFrame(id, Frame.TYPE_REQUEST, randomFlags(), stateRequest("reused").toByteArray());
                expect(id, status("re-used stream id", StatusCode.INVALID_ARGUMENT));
            } else if (kind < 53) {
                int id = nextId();
                conn.sendFrame(id, Frame.TYPE_REQUEST, randomFlags(), randomBytes(1 + random.nextInt(512)));
                expect(id, status("garbage request", StatusCode.INVALID_ARGUMENT, StatusCode.UNIMPLEMENTED));
            } else if (kind < 60) {
                int id = nextId();
                Request request = Request.newBuilder().setService(TASK).setMethod(randomMethod())
                        .setPayload(ByteString.copyFrom(randomBytes(random.nextInt(256)))).build();
                conn.sendFrame(id, Frame.TYPE_REQUEST, 0, request.toByteArray());
                // Random bytes may even decode as the method's request; the fake answers any of those.
                expect(id, status("garbage payload for " + request.getMethod(), StatusCode.OK,
                        StatusCode.INVALID_ARGUMENT, StatusCode.NOT_FOUND, StatusCode.UNIMPLEMENTED));
            } else if (kind < 75) {
                int id = nextId();
                conn.sendFrame(id, Frame.TYPE_REQUEST, randomFlags(), mutate(stateRequest("m" + id).toByteArray()));
                expect(id, status("mutated request", StatusCode.OK, StatusCode.INVALID_ARGUMENT,
                        StatusCode.UNIMPLEMENTED, StatusCode.NOT_FOUND, StatusCode.DEADLINE_EXCEEDED));
            } else if (kind < 77 && random.nextInt(20) == 0) {
                hugeMetadata();
            } else if (kind < 85) {
                int type = random.nextBoolean() ? Frame.TYPE_RESPONSE : pickUnknownType();
                conn.sendFrame(random.nextInt(), type, random.nextInt(256), randomBytes(random.nextInt(128)));
                // Ignored, as ttrpc requires: no answer expected (an unexpected one fails the batch).
            } else if (kind < 92) {
                int id = 2 * random.nextInt(Integer.MAX_VALUE / 2); // even: never an active call
                conn.sendFrame(id, Frame.TYPE_DATA, randomFlags(), randomBytes(random.nextInt(64)));
                expect(id, status("data frame without a call", StatusCode.INVALID_ARGUMENT));
            } else if (kind < 93 && oversizedBodies < 3) {
                oversizedBodies++;
                int id = random.nextInt();
                conn.send(RawConnection.header(Frame.MAX_PAYLOAD + 1L, id, Frame.TYPE_REQUEST, 0));
                expect(id, status("frame of 4 MiB + 1", StatusCode.RESOURCE_EXHAUSTED));
                conn.send(randomBytes(Frame.MAX_PAYLOAD + 1)); // skipped by the server, connection stays usable
            } else if (kind < 94 && exactLimitFrames < 3) {
                exactLimitFrames++;
                int id = nextId();
                conn.sendFrame(id, Frame.TYPE_REQUEST, 0, requestOfExactly(Frame.MAX_PAYLOAD, "limit" + id));
                expect(id, new Expected("request of exactly 4 MiB", r -> code(r) == StatusCode.OK));
            } else {
                validCall();
            }
        }

        private void validCall() throws IOException {
            int id = nextId();
            String task = "t" + id;
            switch (random.nextInt(3)) {
                case 0 -> {
                    conn.sendFrame(id, Frame.TYPE_REQUEST, randomFlags(), stateRequest(task).toByteArray());
                    expect(id, new Expected("State " + task, r -> !r.hasStatus() && task.equals(parse(r, StateResponse.parser()).getId())));
                }
                case 1 -> {
                    conn.sendRequest(id, TASK, "Connect", ConnectRequest.newBuilder().setId(task).build());
                    expect(id, new Expected("Connect", r -> !r.hasStatus() && parse(r, ConnectResponse.parser()).getShimPid() == FakeTasks.PID));
                }
                default -> {
                    conn.sendRequest(id, TASK, "Delete", DeleteRequest.newBuilder().setId(task).build());
                    expect(id, new Expected("Delete", r -> code(r) == StatusCode.NOT_FOUND
                            && r.getStatus().getMessage().contains(task)));
                }
            }
        }

        private void hugeMetadata() throws IOException {
            int id = nextId();
            Request.Builder request = stateRequest("meta" + id).toBuilder();
            int entries = 1 + random.nextInt(random.nextBoolean() ? 20 : 2000);
            String value = "v".repeat(random.nextInt(1024));
            for (int i = 0; i < entries; i++) {
                request.addMetadata(KeyValue.newBuilder().setKey("k" + random.nextInt(50)).setValue(value));
            }
            byte[] bytes = request.build().toByteArray();
            conn.sendFrame(id, Frame.TYPE_REQUEST, 0, bytes);
            expect(id, status("metadata of " + bytes.length + " bytes", StatusCode.OK));
        }

        /** A valid State request padded with metadata to exactly {@code size} bytes. */
        private byte[] requestOfExactly(int size, String task) {
            Request base = stateRequest(task);
            int pad = size - base.getSerializedSize();
            for (int guess = pad - 16; guess <= pad; guess++) {
                Request padded = base.toBuilder()
                        .addMetadata(KeyValue.newBuilder().setKey("pad").setValue("x".repeat(Math.max(0, guess)))).build();
                if (padded.getSerializedSize() == size) {
                    return padded.toByteArray();
                }
            }
            throw new IllegalStateException("cannot pad a request to " + size);
        }

        /** Sends a batch's requests and leaves without reading: the server must cancel and clean up. */
        private void closeWithCallsInFlight() throws IOException {
            for (int i = 0, n = 1 + random.nextInt(8); i < n && lastStreamId < 0xFFFF_FF00L; i++) {
                validCall();
                frames++;
            }
            reconnect();
        }

        /** Input that breaks the framing, each on a connection of its own. */
        private void throwawayConnection() throws IOException {
            frames++;
            connections++;
            try (RawConnection raw = RawConnection.open(socket)) {
                switch (random.nextInt(4)) {
                    case 0 -> raw.send(randomBytes(1 + random.nextInt(8192))); // then closed mid-whatever
                    case 1 -> {
                        // Declares 4 GiB - 1: answered RESOURCE_EXHAUSTED at once, the body would never end.
                        int id = random.nextInt();
                        raw.send(RawConnection.header(0xFFFF_FFFFL, id, Frame.TYPE_REQUEST, 0));
                        Frame frame = raw.readFrame(WAIT);
                        check(frame.streamId() == id && code(Response.parseFrom(frame.payload())) == StatusCode.RESOURCE_EXHAUSTED,
                                "0xFFFFFFFF length answered " + frame);
                    }
                    case 2 -> {
                        byte[] whole = frameBytes(1, stateRequest("cut").toByteArray());
                        raw.send(java.util.Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1)));
                    }
                    default -> {
                        // Half-close after a request: the answer or a closed connection, never silence.
                        raw.sendFrame(1, Frame.TYPE_REQUEST, 0, stateRequest("half").toByteArray());
                        raw.shutdownOutput();
                        long t0 = System.nanoTime();
                        try {
                            Frame frame = raw.readFrame(WAIT);
                            check(!Response.parseFrom(frame.payload()).hasStatus(), "half-closed call answered " + frame);
                        } catch (IOException closed) { // EOF: the server closed on our half-close
                            check(System.nanoTime() - t0 < WAIT.toNanos(), "half-closed connection hung");
                        }
                    }
                }
            }
        }

        private void readExpected() throws IOException {
            while (pending > 0) {
                Frame frame;
                try {
                    frame = conn.readFrame(WAIT);
                } catch (IOException e) {
                    throw new AssertionError(describe("no answer (" + e.getMessage() + "), still expecting " + expected), e);
                }
                check(frame.type() == Frame.TYPE_RESPONSE, "not a response: " + frame);
                Response response = Response.parseFrom(frame.payload());
                List<Expected> candidates = expected.getOrDefault(frame.streamId(), List.of());
                Expected match = candidates.stream().filter(e -> e.accepts().test(response)).findFirst().orElse(null);
                check(match != null, "unexpected answer on stream " + frame.unsignedStreamId() + ": " + code(response)
                        + " " + response.getStatus().getMessage() + "; expected there: " + candidates);
                candidates.remove(match);
                if (candidates.isEmpty()) {
                    expected.remove(frame.streamId());
                }
                pending--;
                answers++;
            }
        }

        private void expect(int streamId, Expected what) {
            expected.computeIfAbsent(streamId, k -> new ArrayList<>()).add(what);
            pending++;
        }

        private int nextId() {
            lastStreamId += 2 * (1 + (random.nextInt(100) == 0 ? random.nextInt(1 << 30) : random.nextInt(3)));
            if ((lastStreamId & 1) == 0) {
                lastStreamId++;
            }
            lastStreamId = Math.min(lastStreamId, 0xFFFF_FFFFL);
            return (int) lastStreamId;
        }

        private int randomFlags() {
            return random.nextInt(4) == 0 ? random.nextInt(256) : 0;
        }

        private int pickUnknownType() {
            int type = random.nextInt(256);
            return type >= Frame.TYPE_REQUEST && type <= Frame.TYPE_DATA ? 0 : type;
        }

        private String randomMethod() {
            String[] methods = {"State", "Create", "Start", "Delete", "Pids", "Kill", "Wait", "Connect", "Stats", "Exec"};
            return methods[random.nextInt(methods.length)];
        }

        private byte[] mutate(byte[] valid) {
            byte[] out = valid.clone();
            switch (random.nextInt(4)) {
                case 0 -> {
                    for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                        out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> out = java.util.Arrays.copyOf(out, random.nextInt(out.length));
                case 2 -> {
                    byte[] tail = randomBytes(1 + random.nextInt(32));
                    out = java.util.Arrays.copyOf(out, out.length + tail.length);
                    System.arraycopy(tail, 0, out, valid.length, tail.length);
                }
                default -> out[random.nextInt(out.length)] = (byte) random.nextInt(256);
            }
            return out;
        }

        private byte[] randomBytes(int n) {
            byte[] bytes = new byte[n];
            random.nextBytes(bytes);
            return bytes;
        }

        private void check(boolean ok, String message) {
            if (!ok) {
                throw new AssertionError(describe(message));
            }
        }

        private String describe(String message) {
            return "worker " + index + " (seed " + seed + ", frame " + frames + "): " + message;
        }
    }

    private static Request stateRequest(String task) {
        return Request.newBuilder().setService(TASK).setMethod("State")
                .setPayload(StateRequest.newBuilder().setId(task).build().toByteString()).build();
    }

    private static byte[] frameBytes(int streamId, byte[] payload) {
        byte[] out = new byte[Frame.HEADER_LENGTH + payload.length];
        System.arraycopy(RawConnection.header(payload.length, streamId, Frame.TYPE_REQUEST, 0), 0, out, 0, Frame.HEADER_LENGTH);
        System.arraycopy(payload, 0, out, Frame.HEADER_LENGTH, payload.length);
        return out;
    }

    private static <T extends com.google.protobuf.Message> T parse(Response response, com.google.protobuf.Parser<T> parser) {
        try {
            return parser.parseFrom(response.getPayload());
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /** An in-memory Task service: answers State, Connect and Wait; knows no task for the rest. */
    static final class FakeTasks implements TaskService {
        static final int PID = 4242;
        final AtomicInteger running = new AtomicInteger();
        final AtomicLong calls = new AtomicLong();

        private <T> T serve(java.util.concurrent.Callable<T> body) throws Exception {
            running.incrementAndGet();
            calls.incrementAndGet();
            try {
                return body.call();
            } finally {
                running.decrementAndGet();
            }
        }

        private static TtrpcException unknown(String id) {
            return TtrpcException.notFound("task " + id + " not found");
        }

        @Override
        public StateResponse state(StateRequest r) throws Exception {
            return serve(() -> StateResponse.newBuilder().setId(r.getId()).setPid(PID).build());
        }

        @Override
        public ConnectResponse connect(ConnectRequest r) throws Exception {
            return serve(() -> ConnectResponse.newBuilder().setShimPid(PID).setTaskPid(PID).build());
        }

        @Override
        public WaitResponse waitFor(WaitRequest r) throws Exception {
            return serve(() -> WaitResponse.newBuilder().setExitStatus(0).build());
        }

        @Override
        public CreateTaskResponse create(CreateTaskRequest r) throws Exception {
            return serve(() -> { throw unknown(r.getId()); });
        }

        @Override
        public StartResponse start(StartRequest r) throws Exception {
            return serve(() -> { throw unknown(r.getId()); });
        }

        @Override
        public DeleteResponse delete(DeleteRequest r) throws Exception {
            return serve(() -> { throw unknown(r.getId()); });
        }

        @Override
        public PidsResponse pids(PidsRequest r) throws Exception {
            return serve(() -> { throw unknown(r.getId()); });
        }

        @Override
        public Empty kill(KillRequest r) throws Exception {
            return serve(() -> { throw unknown(r.getId()); });
        }

        @Override
        public Empty shutdown(ShutdownRequest r) throws Exception {
            return serve(Empty::getDefaultInstance); // a fake: nothing to shut down
        }
    }
}
