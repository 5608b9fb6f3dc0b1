package io.jrunc.ttrpc.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import io.jrunc.ttrpc.CallOptions;
import io.jrunc.ttrpc.ServiceRegistry;
import io.jrunc.ttrpc.TtrpcClient;
import io.jrunc.ttrpc.TtrpcEventLoop;
import io.jrunc.ttrpc.TtrpcServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Round-trip latency and throughput of our ttrpc client against our ttrpc server over a Unix socket.
 * Not a test. Run (from the repository root, after {@code mvn -o -pl shim-api install -DskipTests}):
 *
 * <pre>
 * MAVEN_OPTS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" \
 * mvn -q -o -pl shim-api test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.jrunc.ttrpc.bench.TtrpcBenchmark [-Dexec.args="..."] [-Dbench.seconds=5]
 * </pre>
 *
 * Arguments: none = server and client in this JVM (they share the one event loop thread);
 * {@code server <socket>} = serve only; {@code client <socket>} = measure against a server in another
 * JVM (the realistic containerd-to-shim shape); a further argument {@code many} runs only the
 * many-connections scenario. System properties: {@code bench.seconds} (per scenario, default 5),
 * {@code bench.payload} (request/response bytes, default 64), {@code jrunc.ttrpc.eventLoopThreads}
 * (default {@link TtrpcEventLoop#defaultThreads()}), and for the many-connections scenario {@code bench.connections} (default 500),
 * {@code bench.calls} (sequential calls per connection, default 20), {@code bench.rounds} (default 5),
 * {@code bench.warmup} (discarded rounds first, default 3).
 */
public final class TtrpcBenchmark {

    private static final String SERVICE = "jrunc.bench.Echo";
    /** The same echo handler, once per dispatch kind, so one run compares them side by side. */
    private static final String ON_WORKER = "Echo";
    private static final String ON_EVENT_LOOP = "EchoOnEventLoop";
    private static final List<String> METHODS = List.of(ON_WORKER, ON_EVENT_LOOP);

    private TtrpcBenchmark() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "both";
        switch (mode) {
            case "server" -> {
                TtrpcServer server = TtrpcServer.bind(Path.of(args[1]), registry());
                System.out.println("serving on " + args[1]);
                server.closeFuture().join();
            }
            case "client" -> {
                if (args.length > 2 && args[2].equals("many")) {
                    measureMany(Path.of(args[1]));
                } else {
                    measureAll(Path.of(args[1]));
                }
            }
            default -> {
                Path dir = Files.createTempDirectory("ttrpc-bench");
                Path socket = dir.resolve("bench.sock");
                TtrpcServer server = TtrpcServer.bind(socket, registry());
                try {
                    measureAll(socket);
                } finally {
                    server.close();
                    Files.deleteIfExists(socket);
                    Files.deleteIfExists(dir);
                }
            }
        }
        System.exit(0);
    }

    static ServiceRegistry registry() {
        return ServiceRegistry.builder()
                .unary(SERVICE, ON_WORKER, BytesValue.parser(), (ctx, request) -> request)
                .nonBlocking(SERVICE, ON_EVENT_LOOP, BytesValue.parser(), (ctx, request) -> request)
                .build();
    }

    private static void measureAll(Path socket) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 5);
        int payload = Integer.getInteger("bench.payload", 64);
        BytesValue request = BytesValue.of(ByteString.copyFrom(new byte[payload]));
        System.out.printf("ttrpc benchmark: %d-byte payload, %d s per scenario, event loop threads %s, %d CPUs, %s%n",
                payload, seconds, Integer.getInteger(TtrpcEventLoop.THREADS_PROPERTY, TtrpcEventLoop.defaultThreads()),
                Runtime.getRuntime().availableProcessors(), Runtime.version());
        for (String method : METHODS) {
            run("warm-up (discarded)", socket, method, request, 1, 16, Math.max(2, seconds));
        }
        System.out.printf("%-34s %-16s %10s %10s %10s %10s%n", "scenario", "handler on", "calls/s", "p50 us", "p99 us",
                "calls");
        record Shape(String name, int connections, int inFlight) {}
        for (Shape shape : List.of(new Shape("1 connection, sequential", 1, 1), new Shape("1 connection, 16 in flight", 1, 16),
                new Shape("8 connections, 1 in flight each", 8, 1), new Shape("8 connections, 16 in flight each", 8, 16))) {
            for (String method : METHODS) {
                print(shape.name(), method, run("", socket, method, request, shape.connections(), shape.inFlight(), seconds));
            }
        }
        measureMany(socket);
    }

    private static String dispatch(String method) {
        return method.equals(ON_WORKER) ? "worker thread" : "event loop";
    }

    /**
     * The containerd shape that hurts: many connections open at once (one per task), each making a
     * short series of State-sized calls. Each round connects them all concurrently, then every
     * connection makes its calls back to back; latencies of all rounds are pooled.
     */
    private static void measureMany(Path socket) throws Exception {
        int connections = Integer.getInteger("bench.connections", 500);
        int calls = Integer.getInteger("bench.calls", 20);
        int rounds = Integer.getInteger("bench.rounds", 5);
        BytesValue request = BytesValue.of(ByteString.copyFrom(new byte[Integer.getInteger("bench.payload", 64)]));
        for (int w = Integer.getInteger("bench.warmup", 3); w > 0; w--) {
            for (String method : METHODS) {
                manyRound(socket, method, request, connections, calls); // warm-up (JIT), discarded
            }
        }
        // Rounds alternate between the two dispatch kinds so that machine noise hits both alike.
        Map<String, long[]> latencies = new LinkedHashMap<>();
        Map<String, Long> slowestConnect = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (String method : METHODS) {
                ManyResult round = manyRound(socket, method, request, connections, calls);
                long[] all = latencies.getOrDefault(method, new long[0]);
                int at = all.length;
                all = Arrays.copyOf(all, at + round.latenciesNanos().length);
                System.arraycopy(round.latenciesNanos(), 0, all, at, round.latenciesNanos().length);
                latencies.put(method, all);
                slowestConnect.merge(method, round.connectNanos(), Math::max);
                seconds.merge(method, round.callSeconds(), Double::sum);
            }
        }
        String scenario = connections + " connections x " + calls + " calls";
        for (String method : METHODS) {
            long[] all = latencies.get(method);
            Arrays.sort(all);
            System.out.printf("%-34s %-16s %10.0f %10.1f %10.1f %10d   (%d rounds; slowest connect-all %.1f ms)%n",
                    scenario, dispatch(method), all.length / seconds.get(method), percentile(all, 0.50) / 1e3,
                    percentile(all, 0.99) / 1e3, all.length, rounds, slowestConnect.get(method) / 1e6);
        }
    }

    record ManyResult(long[] latenciesNanos, long connectNanos, double callSeconds) {}

    private static ManyResult manyRound(Path socket, String method, BytesValue request, int connections, int calls)
            throws Exception {
        TtrpcClient[] clients = new TtrpcClient[connections];
        long[][] samples = new long[connections][calls];
        CountDownLatch connected = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(connections);
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            int index = c;
            Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    clients[index] = TtrpcClient.connect(socket);
                    connected.countDown();
                    go.await();
                    for (int i = 0; i < calls; i++) {
                        long start = System.nanoTime();
                        clients[index].call(SERVICE, method, request, BytesValue.parser(), CallOptions.none());
                        samples[index][i] = System.nanoTime() - start;
                    }
                } catch (Throwable t) {
                    failures.add(t);
                    connected.countDown();
                } finally {
                    done.countDown();
                }
            });
        }
        connected.await();
        long connectNanos = System.nanoTime() - t0;
        long callsStart = System.nanoTime();
        go.countDown();
        done.await();
        double callSeconds = (System.nanoTime() - callsStart) / 1e9;
        for (TtrpcClient client : clients) {
            if (client != null) {
                client.close();
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failures.size() + " connections failed", failures.getFirst());
        }
        long[] all = new long[connections * calls];
        for (int c = 0; c < connections; c++) {
            System.arraycopy(samples[c], 0, all, c * calls, calls);
        }
        Arrays.sort(all);
        return new ManyResult(all, connectNanos, callSeconds);
    }

    record Result(long calls, double seconds, long[] latenciesNanos) {}

    /** {@code connections} clients, each driven by {@code inFlight} threads making blocking calls. */
    private static Result run(String label, Path socket, String method, BytesValue request, int connections,
            int inFlight, int seconds) throws Exception {
        List<TtrpcClient> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            clients.add(TtrpcClient.connect(socket));
        }
        int workers = connections * inFlight;
        long[][] samples = new long[workers][];
        int[] counts = new int[workers];
        CountDownLatch done = new CountDownLatch(workers);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        for (int w = 0; w < workers; w++) {
            TtrpcClient client = clients.get(w % connections);
            int index = w;
            Thread.ofPlatform().daemon(true).start(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        client.call(SERVICE, method, request, BytesValue.parser(), CallOptions.none());
                        long dt = System.nanoTime() - t0;
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = dt;
                    }
                } finally {
                    samples[index] = mine;
                    counts[index] = n;
                    done.countDown();
                }
            });
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (TtrpcClient client : clients) {
            client.close();
        }
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int w = 0; w < workers; w++) {
            System.arraycopy(samples[w], 0, all, at, counts[w]);
            at += counts[w];
        }
        Arrays.sort(all);
        if (!label.isEmpty()) {
            System.out.printf("%s: %d calls%n", label, total);
        }
        return new Result(total, elapsed, all);
    }

    private static void print(String scenario, String method, Result r) {
        long[] l = r.latenciesNanos();
        System.out.printf("%-34s %-16s %10.0f %10.1f %10.1f %10d%n", scenario, dispatch(method), r.calls() / r.seconds(),
                percentile(l, 0.50) / 1e3, percentile(l, 0.99) / 1e3, r.calls());
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
