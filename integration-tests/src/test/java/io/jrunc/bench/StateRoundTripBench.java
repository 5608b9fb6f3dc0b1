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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * ttrpc round trip: our {@link TtrpcClient} (the same client for both) calls Task.State on each
 * shim's socket (the path in the bundle's {@code address} file) of a running {@code sleep}
 * container, one call at a time; blocks of calls alternate between the shims.
 */
final class StateRoundTripBench implements Workload {
    static final String TASK_SERVICE = "containerd.task.v2.Task";
    private static final CallOptions CALL = CallOptions.none().withTimeout(Duration.ofSeconds(10));
    private static final int BLOCK = 100;

    @Override
    public String title() {
        return "ttrpc Task.State round trip";
    }

    @Override
    public void run(BenchSession session, ResultTable table) {
        BenchContainers containers = session.containers();
        ShimTrial go = new ShimTrial(ShimUnderTest.GO, 1);
        ShimTrial java = new ShimTrial(ShimUnderTest.JAVA, 1);
        Map<ShimUnderTest, Target> targets = new EnumMap<>(ShimUnderTest.class);
        try {
            for (ShimTrial t : List.of(go, java)) {
                String id = "st-" + LifecycleBench.tag(t);
                try {
                    targets.put(t.shim(), new Target(id, null));
                    containers.startDetached(t.shim(), id, "/bin/sleep", "3600");
                    Path socket = ShimAddress.fromBundle(session.containerd().bundle(session.namespace(), id));
                    targets.put(t.shim(), new Target(id, TtrpcClient.connect(socket)));
                } catch (Exception e) {
                    t.fail("cannot set up a container to call: " + e);
                }
            }
            int warmup = session.plan().stateWarmup();
            int calls = session.plan().stateCalls();
            for (int done = 0, round = 0; done < warmup + calls; done += BLOCK, round++) {
                boolean record = done >= warmup;
                int n = Math.min(BLOCK, warmup + calls - done);
                for (ShimTrial t : ShimTrial.inTurn(round, go, java)) {
                    Target target = targets.get(t.shim());
                    if (!t.stopped() && target != null && target.client() != null) {
                        block(t, target, n, record);
                    }
                }
            }
        } finally {
            for (Target target : targets.values()) {
                if (target.client() != null) {
                    target.client().close();
                }
            }
            List<String> ids = targets.values().stream().map(Target::id).toList();
            containers.removeAll(ids).forEach(f -> System.out.println("  " + f));
        }
        table.add("ttrpc Task.State round trip (" + session.plan().stateCalls() + " calls after "
                + session.plan().stateWarmup() + " warm-up), µs, median (p99)", 0.99, go, java);
    }

    private record Target(String id, TtrpcClient client) {
    }

    private static void block(ShimTrial trial, Target target, int n, boolean record) {
        StateRequest request = StateRequest.newBuilder().setId(target.id()).build();
        try {
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                StateResponse state = target.client().call(TASK_SERVICE, "State", request, StateResponse.parser(), CALL);
                long dt = System.nanoTime() - t0;
                if (state.getStatus() != Status.RUNNING || !state.getId().equals(target.id())) {
                    trial.fail("State answered id '" + state.getId() + "' status " + state.getStatus()
                            + ", expected " + target.id() + " RUNNING");
                    return;
                }
                if (record) {
                    trial.add(dt / 1e3);
                }
            }
        } catch (RuntimeException e) {
            trial.fail("Task.State call failed: " + e);
        }
    }
}
