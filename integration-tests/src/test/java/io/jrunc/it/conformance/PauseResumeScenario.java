package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.proto.services.tasks.v1.PauseTaskRequest;
import io.jrunc.proto.services.tasks.v1.ResumeTaskRequest;
import io.jrunc.proto.types.task.Process;
import io.jrunc.proto.types.task.Status;
import java.nio.file.Path;

/**
 * A running task's Get (RUNNING, exited_at = Go's zero time), then Pause freezes the container's cgroup and
 * Get says PAUSED; Resume thaws it and Get says RUNNING.
 */
final class PauseResumeScenario implements ConformanceScenario {
    /** 0001-01-01T00:00:00Z, what Go shims put in exited_at while a process runs (shim-protocol.md §8). */
    private static final long GO_ZERO_TIME = -62135596800L;

    @Override
    public String name() {
        return "pause-resume";
    }

    @Override
    public String summary() {
        return "Get RUNNING (exited_at Go zero time); Pause: PAUSED + cgroup frozen; Resume: RUNNING + thawed; SIGKILL 137";
    }

    @Override
    public void run(CellRun run) {
        String id = "pause";
        long pid = run.run(id, "/bin/sleep", "300");
        Process running = run.get(id);
        assertEquals(Status.RUNNING, running.getStatus(), running::toString);
        assertEquals(GO_ZERO_TIME, running.getExitedAt().getSeconds(),
                () -> "exited_at of a running task is Go's zero time (not 1970): " + running.getExitedAt());
        Path freezer = ContainerCgroup.file(run, id, "freezer.state", "cgroup.freeze");

        run.client().tasks().pause(PauseTaskRequest.newBuilder().setContainerId(id).build());

        assertEquals(Status.PAUSED, run.get(id).getStatus());
        assertEquals(frozen(freezer), ContainerCgroup.read(freezer), freezer.toString());

        run.client().tasks().resume(ResumeTaskRequest.newBuilder().setContainerId(id).build());

        assertEquals(Status.RUNNING, run.get(id).getStatus());
        assertEquals(thawed(freezer), ContainerCgroup.read(freezer), freezer.toString());
        assertEquals(pid, run.get(id).getPid());
        run.kill(id, 9);
        assertEquals(137, run.await(id).getExitStatus());
    }

    private static String frozen(Path freezer) {
        return freezer.getFileName().toString().equals("freezer.state") ? "FROZEN" : "1";
    }

    private static String thawed(Path freezer) {
        return freezer.getFileName().toString().equals("freezer.state") ? "THAWED" : "0";
    }
}
