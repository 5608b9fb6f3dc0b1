package io.jrunc.bench;

import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.types.task.Status;
import io.jrunc.ttrpc.CallOptions;
import io.jrunc.ttrpc.TtrpcClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A busy node's shape: many clients at once (containerd, CRI, monitoring agents), each opening its own
 * connection to the shim and making a short series of Task.State calls. Every round connects
 * {@link #CONNECTIONS} clients at once to each shim's socket (the shims take turns round by round), each
 * makes {@link #CALLS} calls; the per-call latencies of the measured rounds give median and p99, and
 * connection attempts refused (to be retried) are counted.
 */
final class ManyConnectionsStateBench implements Workload {
    static final int CONNECTIONS = 500;
    static final int CALLS = 20;
    private static final int ROUNDS = 3;
    private static final CallOptions CALL = CallOptions.none().withTimeout(Duration.ofSeconds(30));

    @Override
    public String title() {
        return "ttrpc Task.State, " + CONNECTIONS + " connections at once";
    }

    @Override
    public void run(BenchSession session, ResultTable table) {
        BenchContainers containers = session.containers();
        ShimTrial go = new ShimTrial(ShimUnderTest.GO, 1);
        ShimTrial java = new ShimTrial(ShimUnderTest.JAVA, 1);
        // The first call on a fresh connection also waits for the server to accept it (connect returns
        // once the kernel queued the connection); the later calls are the steady state. Reported apart.
        Map<ShimUnderTest, ShimTrial> firstCalls = new EnumMap<>(Map.of(
                ShimUnderTest.GO, new ShimTrial(ShimUnderTest.GO, 1), ShimUnderTest.JAVA, new ShimTrial(ShimUnderTest.JAVA, 1)));
        Map<ShimUnderTest, ShimTrial> laterCalls = new EnumMap<>(Map.of(
                ShimUnderTest.GO, new ShimTrial(ShimUnderTest.GO, 1), ShimUnderTest.JAVA, new ShimTrial(ShimUnderTest.JAVA, 1)));
        Map<ShimUnderTest, String> ids = new EnumMap<>(ShimUnderTest.class);
        Map<ShimUnderTest, Path> sockets = new EnumMap<>(ShimUnderTest.class);
        Map<ShimUnderTest, AtomicInteger> retries = new EnumMap<>(ShimUnderTest.class);
        try {
            for (ShimTrial t : List.of(go, java)) {
                String id = "many-" + LifecycleBench.tag(t);
                ids.put(t.shim(), id);
                retries.put(t.shim(), new AtomicInteger());
                try {
                    containers.startDetached(t.shim(), id, "/bin/sleep", "3600");
                    sockets.put(t.shim(), ShimAddress.fromBundle(session.containerd().bundle(session.namespace(), id)));
                } catch (Exception e) {
                    t.fail("cannot set up a container to call: " + e);
                }
            }
            Map<ShimUnderTest, Long> cpuTicks = new EnumMap<>(ShimUnderTest.class);
            for (int round = 0; round <= ROUNDS; round++) { // round 0 warms up and is not counted
                for (ShimTrial t : ShimTrial.inTurn(round, go, java)) {
                    Path socket = sockets.get(t.shim());
                    if (!t.stopped() && socket != null) {
                        long before = round > 0 ? ShimCpu.ticks(socket) : 0;
                        round(t, socket, ids.get(t.shim()), round > 0, retries.get(t.shim()),
                                firstCalls.get(t.shim()), laterCalls.get(t.shim()));
                        if (round > 0) {
                            cpuTicks.merge(t.shim(), ShimCpu.ticks(socket) - before, Long::sum);
                        }
                    }
                }
            }
            // CPU the shim process itself spent (user + system), per call: the machine is shared with the
            // clients, so a shim that needs more CPU per call leaves less to them and lengthens everyone's tail.
            long calls = (long) ROUNDS * CONNECTIONS * CALLS;
            table.note("shim CPU per State call (user+system, measured rounds): GO "
                    + ShimCpu.microsPer(cpuTicks.get(ShimUnderTest.GO), calls) + " µs, JAVA "
                    + ShimCpu.microsPer(cpuTicks.get(ShimUnderTest.JAVA), calls) + " µs");
        } finally {
            containers.removeAll(new ArrayList<>(ids.values())).forEach(f -> System.out.println("  " + f));
        }
        table.add("ttrpc Task.State, " + CONNECTIONS + " connections at once x " + CALLS + " calls, µs per call, median (p99)",
                0.99, go, java);
        table.add("  of which the first call on each new connection (includes the accept), µs, median (p99)", 0.99,
                firstCalls.get(ShimUnderTest.GO), firstCalls.get(ShimUnderTest.JAVA));
        table.add("  of which the later calls, µs, median (p99)", 0.99,
                laterCalls.get(ShimUnderTest.GO), laterCalls.get(ShimUnderTest.JAVA));
        table.note("connection attempts refused and retried, " + CONNECTIONS + " connections x " + (ROUNDS + 1)
                + " rounds: GO " + retries.get(ShimUnderTest.GO) + ", JAVA " + retries.get(ShimUnderTest.JAVA));
    }

    private static void round(ShimTrial trial, Path socket, String id, boolean record, AtomicInteger retries,
            ShimTrial firstCalls, ShimTrial laterCalls) {
        StateRequest request = StateRequest.newBuilder().setId(id).build();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Double> first = Collections.synchronizedList(new ArrayList<>());
        List<Double> later = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch together = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CONNECTIONS; c++) {
                results.add(clients.submit(() -> {
                    together.await();
                    try (TtrpcClient client = connect(socket, retries)) {
                        for (int i = 0; i < CALLS; i++) {
                            long t0 = System.nanoTime();
                            StateResponse state = client.call(StateRoundTripBench.TASK_SERVICE, "State", request,
                                    StateResponse.parser(), CALL);
                            double micros = (System.nanoTime() - t0) / 1e3;
                            latencies.add(micros);
                            (i == 0 ? first : later).add(micros);
                            if (state.getStatus() != Status.RUNNING || !state.getId().equals(id)) {
                                return "State answered " + state.getId() + " " + state.getStatus();
                            }
                        }
                    }
                    return null;
                }));
            }
            together.countDown();
            for (Future<String> result : results) {
                String error = result.get(120, TimeUnit.SECONDS);
                if (error != null) {
                    trial.fail(error);
                    return;
                }
            }
        } catch (Exception e) {
            trial.fail("round failed: " + e);
            return;
        }
        if (record) {
            latencies.forEach(trial::add);
            first.forEach(firstCalls::add);
            later.forEach(laterCalls::add);
        }
    }

    /** Connects, retrying (and counting) while the listen backlog is full. */
    private static TtrpcClient connect(Path socket, AtomicInteger retries) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return TtrpcClient.connect(socket);
            } catch (Exception e) {
                if (attempt >= 100) {
                    throw e;
                }
                retries.incrementAndGet();
                Thread.sleep(10);
            }
        }
    }
}
