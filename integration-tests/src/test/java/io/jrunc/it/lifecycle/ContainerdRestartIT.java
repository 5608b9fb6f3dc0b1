package io.jrunc.it.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimDaemon;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.services.events.v1.Envelope;
import io.jrunc.proto.services.tasks.v1.DeleteResponse;
import io.jrunc.proto.services.tasks.v1.DeleteTaskRequest;
import io.jrunc.proto.services.tasks.v1.GetRequest;
import io.jrunc.proto.services.tasks.v1.WaitRequest;
import io.jrunc.proto.services.tasks.v1.WaitResponse;
import io.jrunc.proto.types.task.Process;
import io.jrunc.proto.types.task.Status;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * containerd crashes (SIGKILL) and comes back: shims and containers keep running meanwhile, and the
 * new containerd finds each shim again through the bundle's {@code address} file, including the
 * real exit status of a task that ended while nobody was listening for its exit event.
 */
class ContainerdRestartIT extends LifecycleScenarios {
    private static final Duration SETTLE = Duration.ofSeconds(20);

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void runningTaskSurvivesContainerdKill9AndIsManagedAfterRestart(ShimUnderTest shim) throws Exception {
        String id = "survivor";
        try (ShimScenario s = begin(shim)) {
            long pid = s.runDetached(id, "/bin/sleep", "300");
            long daemon = ShimDaemon.pid(s.containerd(), s.namespace(), id);

            s.dropClient();
            s.containerd().kill9();
            Thread.sleep(1000);
            assertTrue(Procs.running(pid), "container " + pid + " keeps running while containerd is down");
            assertTrue(Procs.running(daemon), "shim daemon " + daemon + " keeps running while containerd is down");
            s.containerd().restart();

            Ctr.TaskRow row = s.ctr().task(id).orElseThrow(() -> new AssertionError("task " + id + " lost over the restart"));
            assertEquals(new Ctr.TaskRow(id, pid, "RUNNING"), row);
            assertEquals(daemon, ShimDaemon.pid(s.containerd(), s.namespace(), id), "the same shim daemon serves it");

            // The shim must publish to the new containerd, too.
            try (EventStream events = s.client().subscribe("namespace==" + s.namespace())) {
                events.awaitActive(SETTLE);
                Instant killedAt = Instant.now();
                s.ctr().ok("task", "kill", "-s", "SIGKILL", id);

                Envelope env = events.await(SETTLE, "/tasks/exit of " + id, e -> e.getTopic().equals("/tasks/exit"));
                TaskExit exit = TaskExit.parseFrom(env.getEvent().getValue());
                assertEquals(id, exit.getContainerId(), exit::toString);
                assertEquals(pid, exit.getPid(), exit::toString);
                assertEquals(137, exit.getExitStatus(), exit::toString);
                Stamps.assertBetween(exit.getExitedAt(), killedAt, "TaskExit exited_at");
            }
            DeleteResponse deleted = s.client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
            assertEquals(137, deleted.getExitStatus(), deleted::toString);
            assertEquals(pid, deleted.getPid(), deleted::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void exitWhileContainerdIsDownIsReportedAfterRestart(ShimUnderTest shim) throws Exception {
        String id = "exits-7";
        try (ShimScenario s = begin(shim)) {
            Instant started = Instant.now();
            long pid = s.runDetached(id, "/bin/sh", "-c", "sleep 2; exit 7");

            s.dropClient();
            s.containerd().kill9();
            Instant containerdKilled = Instant.now();
            Poll.require(SETTLE, () -> !Procs.running(pid), () -> "task " + pid + " to exit while containerd is down");
            // Stay down well past the exit, so a shim that retries forwarding the exit event gives up.
            Thread.sleep(2000);
            s.containerd().restart();

            Ctr.TaskRow row = s.ctr().task(id).orElseThrow(() -> new AssertionError("task " + id + " lost over the restart"));
            assertEquals(new Ctr.TaskRow(id, pid, "STOPPED"), row);

            Process got = s.client().tasks().get(GetRequest.newBuilder().setContainerId(id).build()).getProcess();
            assertEquals(Status.STOPPED, got.getStatus(), got::toString);
            assertEquals(7, got.getExitStatus(), got::toString);
            Stamps.assertBetween(got.getExitedAt(), started, "Get exited_at");
            assertTrue(Stamps.instant(got.getExitedAt()).isAfter(containerdKilled),
                    "the task exited while containerd was down: exited " + Stamps.instant(got.getExitedAt())
                            + ", containerd killed " + containerdKilled);

            WaitResponse waited = s.client().tasks().wait(WaitRequest.newBuilder().setContainerId(id).build());
            assertEquals(7, waited.getExitStatus(), waited::toString);
            assertEquals(got.getExitedAt(), waited.getExitedAt(), "Wait and Get agree on the exit time");

            DeleteResponse deleted = s.client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
            assertEquals(7, deleted.getExitStatus(), deleted::toString);
            assertEquals(pid, deleted.getPid(), deleted::toString);
        }
    }
}
