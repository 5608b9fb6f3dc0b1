package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.jrunc.proto.services.tasks.v1.DeleteResponse;
import io.jrunc.proto.services.tasks.v1.WaitResponse;
import io.jrunc.proto.types.task.Process;
import java.time.Instant;

/**
 * The whole life of a task through the gRPC API: Containers.Create with our spec, Tasks.Create with stdio
 * fifos (CREATED, the pid known before Start), Start (RUNNING), the output on both fifos, Wait with the exit
 * code, Get (STOPPED), Delete (pid, status and time once more), then the task is gone.
 */
final class LifecycleScenario implements ConformanceScenario {
    @Override
    public String name() {
        return "lifecycle";
    }

    @Override
    public String summary() {
        return "create (CREATED), start (RUNNING), stdout+stderr fifos, Wait 3, Get STOPPED, Delete, gone";
    }

    @Override
    public void run(CellRun run) {
        String id = "life";
        StdioFifos stdio = run.fifos(id, false);
        run.createContainer(id, run.spec(id, "/bin/sh", "-c", "echo out; echo err >&2; exit 3"));
        Instant began = Instant.now();

        long pid = run.createTask(id, stdio);

        assertTrue(pid > 1, "Create returns the init pid: " + pid);
        Process created = run.get(id);
        assertEquals(io.jrunc.proto.types.task.Status.CREATED, created.getStatus(), created::toString);
        assertEquals(pid, created.getPid(), created::toString);
        assertEquals(stdio.stdoutPath(), created.getStdout(), created::toString);

        assertEquals(pid, run.start(id), "Start returns the pid Create gave");
        WaitResponse waited = run.await(id);

        assertEquals(3, waited.getExitStatus(), waited::toString);
        Checks.between(waited.getExitedAt(), began, "Wait exited_at");
        assertEquals("out\n", stdio.awaitStdout(CellRun.EXIT));
        assertEquals("err\n", stdio.awaitStderr(CellRun.EXIT));
        Process stopped = run.get(id);
        assertEquals(io.jrunc.proto.types.task.Status.STOPPED, stopped.getStatus(), stopped::toString);
        assertEquals(3, stopped.getExitStatus(), stopped::toString);
        assertEquals(waited.getExitedAt(), stopped.getExitedAt(), "Get and Wait agree on the exit time");

        DeleteResponse deleted = run.deleteTask(id);
        assertEquals(pid, deleted.getPid(), deleted::toString);
        assertEquals(3, deleted.getExitStatus(), deleted::toString);
        assertEquals(waited.getExitedAt(), deleted.getExitedAt(), "Delete and Wait agree on the exit time");
        Checks.fails(Status.Code.NOT_FOUND, () -> run.get(id), "Get after Delete");
        run.deleteContainer(id);
    }
}
