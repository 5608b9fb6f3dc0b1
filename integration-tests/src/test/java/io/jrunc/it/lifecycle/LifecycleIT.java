package io.jrunc.it.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.services.tasks.v1.DeleteResponse;
import io.jrunc.proto.services.tasks.v1.DeleteTaskRequest;
import io.jrunc.proto.services.tasks.v1.GetRequest;
import io.jrunc.proto.services.tasks.v1.WaitRequest;
import io.jrunc.proto.services.tasks.v1.WaitResponse;
import io.jrunc.proto.types.task.Process;
import io.jrunc.proto.types.task.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A task's whole life through ctr: output reaches ctr, the process's exit code becomes ctr's exit
 * code, and a SIGKILLed task reports 137 (128 + 9) to ctr and to the Tasks API (Wait, Get, Delete).
 */
class LifecycleIT extends LifecycleScenarios {
    private static final Duration EXIT = Duration.ofSeconds(20);

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void echoPrintsHelloAndExitsZero(ShimUnderTest shim) {
        try (ShimScenario s = begin(shim)) {
            CommandResult run = s.runForeground("echo", "/bin/echo", "hello");

            assertEquals(0, run.exitCode(), run::describe);
            assertEquals("hello\n", run.stdout(), run::describe);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void exitCodeOfTheProcessIsCtrsExitCode(ShimUnderTest shim) {
        try (ShimScenario s = begin(shim)) {
            CommandResult run = s.runForeground("exit3", "/bin/sh", "-c", "exit 3");

            assertEquals(3, run.exitCode(), run::describe);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void sigkillOfAForegroundTaskGivesCtr137(ShimUnderTest shim) {
        try (ShimScenario s = begin(shim); Command.Background run = s.startForeground("fg-killed", "/bin/sleep", "300")) {
            Poll.require(EXIT, () -> s.ctr().task("fg-killed").map(t -> t.status().equals("RUNNING")).orElse(false),
                    () -> "task fg-killed to run; ctr run alive=" + run.alive());

            s.ctr().ok("task", "kill", "-s", "SIGKILL", "fg-killed");

            CommandResult result = run.await(EXIT);
            assertEquals(137, result.exitCode(), result::describe);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void sigkillOfADetachedTaskReports137ToWaitGetAndDelete(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            String id = "bg-killed";
            long pid = s.runDetached(id, "/bin/sleep", "300");
            // A Wait already pending when the task dies, as `ctr run` issues it.
            CompletableFuture<WaitResponse> pendingWait = CompletableFuture.supplyAsync(() -> s.client().tasks()
                    .withDeadlineAfter(EXIT.toSeconds(), TimeUnit.SECONDS)
                    .wait(WaitRequest.newBuilder().setContainerId(id).build()));
            Instant killedAt = Instant.now();

            s.ctr().ok("task", "kill", "-s", "SIGKILL", id);

            WaitResponse waited = pendingWait.get(EXIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(137, waited.getExitStatus(), "Wait: " + waited);
            Stamps.assertBetween(waited.getExitedAt(), killedAt, "Wait exited_at");

            Process stopped = s.client().tasks().get(GetRequest.newBuilder().setContainerId(id).build()).getProcess();
            assertEquals(Status.STOPPED, stopped.getStatus(), "Get: " + stopped);
            assertEquals(137, stopped.getExitStatus(), "Get: " + stopped);
            assertEquals(pid, stopped.getPid(), "Get: " + stopped);
            assertEquals(waited.getExitedAt(), stopped.getExitedAt(), "Get and Wait agree on the exit time");

            DeleteResponse deleted = s.client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
            assertEquals(137, deleted.getExitStatus(), "Delete: " + deleted);
            assertEquals(pid, deleted.getPid(), "Delete: " + deleted);
            assertEquals(waited.getExitedAt(), deleted.getExitedAt(), "Delete and Wait agree on the exit time");
        }
    }
}
