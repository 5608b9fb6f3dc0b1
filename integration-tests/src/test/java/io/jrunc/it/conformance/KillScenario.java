package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.jrunc.proto.services.tasks.v1.KillRequest;

/**
 * Signals through Tasks.Kill: a SIGTERM the init traps ends it with the trap's code (42), a SIGKILL gives
 * 137 (128 + 9), and killing a task that has already exited is NOT_FOUND (containerd and CRI read that as
 * "already gone").
 */
final class KillScenario implements ConformanceScenario {
    @Override
    public String name() {
        return "kill";
    }

    @Override
    public String summary() {
        return "SIGTERM trapped -> 42, SIGKILL -> 137, Kill of an exited task NOT_FOUND";
    }

    @Override
    public void run(CellRun run) {
        run.run("term", "/bin/sh", "-c", "trap 'exit 42' TERM; sleep 300 & wait");
        Checks.awaitProcesses(run, "term", 2);
        run.run("sigkill", "/bin/sleep", "300");

        run.kill("term", 15);
        run.kill("sigkill", 9);

        assertEquals(42, run.await("term").getExitStatus(), "exit code of the TERM trap");
        assertEquals(137, run.await("sigkill").getExitStatus(), "128 + SIGKILL");
        Checks.fails(Status.Code.NOT_FOUND, () -> run.kill("sigkill", 9), "Kill of an exited task");
        Checks.fails(Status.Code.NOT_FOUND, () -> run.client().tasks().kill(KillRequest.newBuilder()
                .setContainerId("sigkill").setExecId("no-such-exec").setSignal(9).build()), "Kill of an unknown exec");
        assertEquals(137, run.deleteTask("sigkill").getExitStatus());
        assertEquals(42, run.deleteTask("term").getExitStatus());
    }
}
