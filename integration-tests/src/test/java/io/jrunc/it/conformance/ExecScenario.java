package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.jrunc.proto.services.tasks.v1.DeleteProcessRequest;
import io.jrunc.proto.services.tasks.v1.DeleteResponse;
import io.jrunc.proto.services.tasks.v1.ExecProcessRequest;
import io.jrunc.proto.services.tasks.v1.WaitResponse;
import io.jrunc.proto.types.task.Process;
import java.time.Instant;

/**
 * An exec in a running task: Exec (CREATED, no pid yet), Start exec (its own pid), output on its own fifos,
 * Wait with its exit code, Get, DeleteProcess; a second Exec with the same id is refused while it exists;
 * the init keeps running throughout.
 */
final class ExecScenario implements ConformanceScenario {
    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "Exec + Start exec: own pid, stdout/stderr fifos, Wait 5, Get, DeleteProcess; duplicate id ALREADY_EXISTS";
    }

    @Override
    public void run(CellRun run) {
        String id = "exec";
        long init = run.run(id, "/bin/sleep", "300");
        StdioFifos stdio = run.fifos("exec1", false);
        ExecProcessRequest exec = ExecProcessRequest.newBuilder()
                .setContainerId(id).setExecId("exec1")
                .setStdout(stdio.stdoutPath()).setStderr(stdio.stderrPath())
                .setSpec(OciSpec.process("/bin/sh", "-c", "echo exec-out; echo exec-err >&2; exit 5"))
                .build();
        Instant began = Instant.now();

        run.client().tasks().exec(exec);

        assertEquals(io.jrunc.proto.types.task.Status.CREATED, run.get(id, "exec1").getStatus(), "exec before Start");
        Checks.fails(Status.Code.ALREADY_EXISTS, () -> run.client().tasks().exec(exec), "a second Exec with id exec1");
        long pid = run.startExec(id, "exec1");
        assertTrue(pid > 1, "exec pid " + pid);
        assertNotEquals(init, pid, "the exec has a pid of its own");
        WaitResponse waited = run.await(id, "exec1");
        assertEquals(5, waited.getExitStatus(), waited::toString);
        Checks.between(waited.getExitedAt(), began, "exec Wait exited_at");
        assertEquals("exec-out\n", stdio.awaitStdout(CellRun.EXIT));
        assertEquals("exec-err\n", stdio.awaitStderr(CellRun.EXIT));
        Process stopped = run.get(id, "exec1");
        assertEquals(io.jrunc.proto.types.task.Status.STOPPED, stopped.getStatus(), stopped::toString);
        assertEquals(5, stopped.getExitStatus(), stopped::toString);
        assertEquals(pid, stopped.getPid(), stopped::toString);

        DeleteResponse deleted = run.client().tasks().deleteProcess(
                DeleteProcessRequest.newBuilder().setContainerId(id).setExecId("exec1").build());

        assertEquals(5, deleted.getExitStatus(), deleted::toString);
        assertEquals(pid, deleted.getPid(), deleted::toString);
        Checks.fails(Status.Code.NOT_FOUND, () -> run.get(id, "exec1"), "Get of a deleted exec");
        Process initNow = run.get(id);
        assertEquals(io.jrunc.proto.types.task.Status.RUNNING, initNow.getStatus(), "init after the exec: " + initNow);
        assertEquals(init, initNow.getPid(), initNow::toString);
    }
}
