package io.jrunc.it.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.Mounts;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimDaemon;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.it.harness.UnixSockets;
import io.jrunc.proto.events.TaskDelete;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.services.events.v1.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shim daemon is SIGKILLed under a running container. containerd sees its connection drop and
 * runs the shim binary's {@code delete} action, which must kill and remove the runc container and
 * unmount its rootfs, and answer with the init pid and 137 (128 + SIGKILL); containerd then
 * publishes that as /tasks/exit and /tasks/delete and drops the task.
 *
 * <p>Reference behaviour: the Go shim's delete action leaves the dead daemon's socket file in
 * /run/containerd/s (nothing listens on it any more). The test accepts a stale file, never a live
 * listener, and removes it itself.
 */
class ShimCrashIT extends LifecycleScenarios {
    private static final Duration CLEANUP = Duration.ofSeconds(20);

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void killedShimIsCleanedUpThroughTheDeleteAction(ShimUnderTest shim) throws Exception {
        String id = "crash";
        try (ShimScenario s = begin(shim); EventStream events = s.client().subscribe("namespace==" + s.namespace())) {
            events.awaitActive(CLEANUP);
            long pid = s.runDetached(id, "/bin/sleep", "300");
            long daemon = ShimDaemon.pid(s.containerd(), s.namespace(), id);
            Path bundle = s.containerd().bundle(s.namespace(), id);
            Path socket = ShimAddress.fromBundle(bundle);
            Instant killedAt = Instant.now();

            ProcessHandle.of(daemon).orElseThrow().destroyForcibly();

            Envelope exitEnv = events.await(CLEANUP, "/tasks/exit after the shim died", e -> e.getTopic().equals("/tasks/exit"));
            TaskExit exit = TaskExit.parseFrom(exitEnv.getEvent().getValue());
            assertEquals(id, exit.getContainerId(), exit::toString);
            assertEquals(pid, exit.getPid(), "the delete action reports the init pid: " + exit);
            assertEquals(137, exit.getExitStatus(), "the delete action reports 128 + SIGKILL: " + exit);
            Stamps.assertBetween(exit.getExitedAt(), killedAt, "TaskExit exited_at");
            Envelope deleteEnv = events.await(CLEANUP, "/tasks/delete after the shim died", e -> e.getTopic().equals("/tasks/delete"));
            TaskDelete delete = TaskDelete.parseFrom(deleteEnv.getEvent().getValue());
            assertEquals(id, delete.getContainerId(), delete::toString);
            assertEquals(137, delete.getExitStatus(), delete::toString);

            Poll.require(CLEANUP, () -> s.ctr().task(id).isEmpty(), () -> "containerd to drop task " + id + ": " + s.ctr().task(id));
            assertTrue(Poll.until(CLEANUP, () -> !Procs.running(pid)), "container init " + pid + " killed by the delete action");
            Path runcState = PrivateContainerd.RUNC_ROOT.resolve(s.namespace()).resolve(id);
            assertFalse(Files.exists(runcState), "runc state removed by the delete action: " + runcState);
            assertEquals(List.of(), Mounts.under(bundle), "rootfs unmounted by the delete action");
            assertFalse(s.containerdLog().contains("failed to clean up after shim disconnected"),
                    "containerd reports the delete action failed");

            if (Files.exists(socket)) {
                assertFalse(UnixSockets.accepts(socket), "nothing may listen on the dead shim's socket " + socket);
                System.out.println(shim + ": stale shim socket left after SIGKILL (as the Go shim does): " + socket);
                Files.delete(socket);
            }
        }
    }
}
