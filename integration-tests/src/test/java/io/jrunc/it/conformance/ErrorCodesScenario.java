package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jrunc.proto.services.tasks.v1.ExecProcessRequest;
import io.jrunc.proto.services.tasks.v1.PauseTaskRequest;
import io.jrunc.proto.services.tasks.v1.UpdateTaskRequest;
import org.junit.jupiter.api.function.Executable;

/**
 * Calls a task refuses, as a client sees them through containerd: the gRPC code (what clients branch on)
 * and the Go shim's wording (what users read; containerd 1.x appends ": unknown", 2.x does not).
 * Wrong-state refusals are UNKNOWN (the Go shim gives them no errdefs class), unknown execs NOT_FOUND.
 */
final class ErrorCodesScenario implements ConformanceScenario {
    @Override
    public String name() {
        return "error-codes";
    }

    @Override
    public String summary() {
        return "Delete running, Exec/Pause/Start/Update stopped: UNKNOWN + Go's message; Start/Wait unknown exec: NOT_FOUND";
    }

    @Override
    public void run(CellRun run) {
        run.run("running", "/bin/sleep", "300");
        run.run("stopped", "/bin/true");
        run.await("stopped");

        refused(Status.Code.UNKNOWN, "cannot delete a running process", () -> run.deleteTask("running"));
        refused(Status.Code.UNKNOWN, "cannot exec in a stopped state", () -> run.client().tasks().exec(
                ExecProcessRequest.newBuilder().setContainerId("stopped").setExecId("x")
                        .setSpec(OciSpec.process("/bin/true")).build()));
        refused(Status.Code.UNKNOWN, "cannot pause a stopped container", () -> run.client().tasks().pause(
                PauseTaskRequest.newBuilder().setContainerId("stopped").build()));
        refused(Status.Code.UNKNOWN, "cannot start a stopped process", () -> run.start("stopped"));
        refused(Status.Code.UNKNOWN, "cannot update a stopped container", () -> run.client().tasks().update(
                UpdateTaskRequest.newBuilder().setContainerId("stopped").setResources(OciSpec.memoryLimit(64L << 20)).build()));
        refused(Status.Code.NOT_FOUND, "process does not exist nope", () -> run.startExec("running", "nope"));
        refused(Status.Code.NOT_FOUND, "process does not exist nope", () -> run.await("running", "nope"));
    }

    private static void refused(Status.Code code, String message, Executable call) {
        StatusRuntimeException e = Checks.fails(code, call, message);
        String description = String.valueOf(e.getStatus().getDescription());
        assertTrue(description.contains(message), () -> "'" + message + "' expected in: " + description);
    }
}
