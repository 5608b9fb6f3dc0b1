package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.Mounts;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimDaemon;
import io.jrunc.it.harness.UnixSockets;
import io.jrunc.proto.events.TaskDelete;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.services.events.v1.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The shim daemon is SIGKILLed under a running task: containerd runs the shim binary's delete action, then
 * publishes /tasks/exit and /tasks/delete with the init pid and 137, and drops the task; the container
 * process, its runc state and its mounts are gone. A dead socket file may stay (the Go shim leaves it) but
 * nothing may listen on it.
 */
final class ShimKillScenario implements ConformanceScenario {
    private static final Duration CLEANUP = Duration.ofSeconds(20);

    @Override
    public String name() {
        return "shim-sigkill";
    }

    @Override
    public String summary() {
        return "kill -9 the shim: delete action, /tasks/exit + /tasks/delete with pid and 137, task gone, no leftovers";
    }

    @Override
    public void run(CellRun run) throws Exception {
        String id = "crash";
        try (EventStream events = run.client().subscribe("namespace==" + run.namespace())) {
            events.awaitActive(CLEANUP);
            long pid = run.run(id, "/bin/sleep", "300");
            long daemon = ShimDaemon.pid(run.containerd(), run.namespace(), id);
            Path bundle = run.containerd().bundle(run.namespace(), id);
            Path socket = ShimAddress.fromBundle(bundle);

            ProcessHandle.of(daemon).orElseThrow().destroyForcibly();

            Envelope exitEnv = events.await(CLEANUP, "/tasks/exit", e -> e.getTopic().equals("/tasks/exit"));
            TaskExit exit = TaskExit.parseFrom(exitEnv.getEvent().getValue());
            assertEquals(List.of(id, pid, 137), List.of(exit.getContainerId(), (long) exit.getPid(), exit.getExitStatus()),
                    exit::toString);
            Envelope deleteEnv = events.await(CLEANUP, "/tasks/delete", e -> e.getTopic().equals("/tasks/delete"));
            TaskDelete delete = TaskDelete.parseFrom(deleteEnv.getEvent().getValue());
            assertEquals(List.of(id, 137), List.of(delete.getContainerId(), delete.getExitStatus()), delete::toString);

            Poll.require(CLEANUP, () -> gone(run, id), () -> "containerd to drop task " + id);
            assertTrue(Poll.until(CLEANUP, () -> !Procs.running(pid)), "container init " + pid + " killed by the delete action");
            Path runcState = PrivateContainerd.RUNC_ROOT.resolve(run.namespace()).resolve(id);
            assertFalse(Files.exists(runcState), "runc state removed by the delete action: " + runcState);
            assertEquals(List.of(), Mounts.under(bundle), "no mounts left in the bundle");
            if (Files.exists(socket)) {
                assertFalse(UnixSockets.accepts(socket), "nothing may listen on the dead shim's socket " + socket);
                Files.delete(socket);
            }
            run.deleteContainer(id);
        }
    }

    private static boolean gone(CellRun run, String id) {
        try {
            run.get(id);
            return false;
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode() == Status.Code.NOT_FOUND;
        }
    }
}
