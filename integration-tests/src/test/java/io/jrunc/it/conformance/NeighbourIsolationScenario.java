package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.jrunc.proto.services.tasks.v1.CreateTaskRequest;
import io.jrunc.proto.services.tasks.v1.ListPidsRequest;
import io.jrunc.proto.types.task.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Twenty healthy containers and misbehaving neighbours in one namespace (for jrunc by default: one daemon):
 * one floods stdout into a fifo nobody reads, one's reader vanishes mid-flood, one has a spec runc cannot run.
 * The healthy ones keep answering State and ListPids within a second each, then are killed and report 137;
 * the flooders are killed and report 137 too, without waiting on their stuck output; the bad spec fails its
 * own Create with runc's reason.
 */
final class NeighbourIsolationScenario implements ConformanceScenario {
    private static final int HEALTHY = 20;
    private static final long CALL_LIMIT_MS = 1000;

    @Override
    public String name() {
        return "misbehaving-neighbour";
    }

    @Override
    public String summary() {
        return HEALTHY + " healthy containers beside a flood into a stuck fifo, a vanished fifo reader and a bad spec";
    }

    @Override
    public void run(CellRun run) throws Exception {
        List<String> healthy = new ArrayList<>();
        for (int i = 0; i < HEALTHY; i++) {
            String id = "ok" + i;
            run.run(id, "/bin/sleep", "300");
            healthy.add(id);
        }
        Path dir = run.containerd().dir().resolve("stuck-" + run.namespace());
        try (StuckFifo stuckOut = new StuckFifo(dir, "flood-out"); StuckFifo stuckErr = new StuckFifo(dir, "flood-err");
                StuckFifo vanishingOut = new StuckFifo(dir, "vanish-out"); StuckFifo vanishingErr = new StuckFifo(dir, "vanish-err")) {
            flooder(run, "flood", stuckOut.path(), stuckErr.path());
            flooder(run, "vanish", vanishingOut.path(), vanishingErr.path());
            Thread.sleep(500); // both pipes full by now
            vanishingOut.vanish();
            vanishingErr.vanish();

            run.createContainer("badspec", run.spec("badspec", "/no/such/binary"));
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> run.createTask("badspec", null));
            assertTrue(String.valueOf(refused.getStatus().getDescription()).contains("/no/such/binary"), refused.toString());

            for (String id : healthy) {
                long began = System.nanoTime();
                assertEquals(Status.RUNNING, run.get(id).getStatus(), id);
                assertEquals(1, run.client().tasks().listPids(ListPidsRequest.newBuilder().setContainerId(id).build())
                        .getProcessesCount(), id + " pids");
                long took = (System.nanoTime() - began) / 1_000_000;
                assertTrue(took < CALL_LIMIT_MS, id + ": State + ListPids took " + took + " ms beside the flood");
            }
            for (String flooder : List.of("flood", "vanish")) {
                assertEquals(Status.RUNNING, run.get(flooder).getStatus(), flooder);
                run.kill(flooder, 9);
                assertEquals(137, run.await(flooder).getExitStatus(), flooder + " exit");
                assertEquals(137, run.deleteTask(flooder).getExitStatus(), flooder + " Delete");
            }
        }
        for (String id : healthy) {
            run.kill(id, 9);
            assertEquals(137, run.await(id).getExitStatus(), id + " exit");
            assertEquals(137, run.deleteTask(id).getExitStatus(), id + " Delete");
        }
    }

    /** A container writing as fast as it can to stdout (and stderr) into the given fifos. */
    private static void flooder(CellRun run, String id, String stdout, String stderr) {
        run.createContainer(id, run.spec(id, "/bin/sh", "-c", "yes flooding-the-fifo-that-nobody-reads >&2 & exec yes flooding"));
        run.client().tasks().create(CreateTaskRequest.newBuilder().setContainerId(id).setStdout(stdout).setStderr(stderr).build());
        run.start(id);
    }
}
