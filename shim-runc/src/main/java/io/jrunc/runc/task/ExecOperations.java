package io.jrunc.runc.task;

import io.jrunc.posix.Posix;
import io.jrunc.posix.ProcessExit;
import io.jrunc.proto.events.TaskExecAdded;
import io.jrunc.proto.events.TaskExecStarted;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.ExecProcessRequest;
import io.jrunc.proto.task.v2.StartResponse;
import io.jrunc.runc.io.StdioSpec;
import io.jrunc.runc.process.ExecEnvironment;
import io.jrunc.runc.process.ExecProcess;
import io.jrunc.runc.process.ExecSpecs;
import io.jrunc.runc.process.ExecStart;
import io.jrunc.runc.process.ExitState;
import io.jrunc.shim.errors.ShimException;
import io.jrunc.shim.event.EventPublisher;
import java.util.Optional;

/**
 * The exec half of the Task service: Exec records a process (/tasks/exec-added), Start runs it
 * (/tasks/exec-started before its /tasks/exit), Delete removes it (no event), as the Go shim does.
 */
final class ExecOperations {
    private final EventPublisher events;
    private final ContainerRegistry containers;
    private final Posix posix;

    ExecOperations(EventPublisher events, ContainerRegistry containers, Posix posix) {
        this.events = events;
        this.containers = containers;
        this.posix = posix;
    }

    /** Exec: checks and records the process; nothing runs before Start. */
    void add(Container container, ExecProcessRequest request) {
        String execId = request.getExecId();
        validateExecId(execId);
        if (!request.hasSpec()) {
            throw ShimException.invalidArgument("ExecProcessRequest.spec must hold the OCI process (JSON) to run");
        }
        if (!container.execs().reserve(execId)) {
            throw ShimException.alreadyExists("id " + execId + ": already exists");
        }
        try {
            container.init().checkCanExec();
            byte[] spec;
            try {
                spec = ExecSpecs.withTerminal(request.getSpec().getValue().toByteArray(), request.getTerminal());
            } catch (IllegalArgumentException e) {
                throw ShimException.invalidArgument("ExecProcessRequest.spec is not the JSON of an OCI process: "
                        + e.getMessage());
            }
            StdioSpec stdio = new StdioSpec(request.getStdin(), request.getStdout(), request.getStderr(),
                    request.getTerminal());
            ExecEnvironment env = new ExecEnvironment(container.id(), container.init().runc(), container.bundle(),
                    container.execIo(), posix);
            container.execs().add(new ExecProcess(execId, spec, stdio, env));
        } catch (RuntimeException e) {
            container.execs().cancel(execId);
            throw e;
        }
        events.publish("/tasks/exec-added", TaskExecAdded.newBuilder()
                .setContainerId(container.id())
                .setExecId(execId)
                .build());
    }

    /** exec ids name pid files in the bundle, so they must not reach outside it. */
    private static void validateExecId(String execId) {
        if (execId.isEmpty()) {
            throw ShimException.invalidArgument("ExecProcessRequest.exec_id must name the new process");
        }
        if (execId.contains("/") || execId.equals(".") || execId.equals("..") || execId.indexOf('\0') >= 0) {
            throw ShimException.invalidArgument("exec id " + execId + " must not contain '/' or be '.' or '..'");
        }
    }

    /** Start of an exec: refused once the init exited; exec-started precedes the process's exit event. */
    StartResponse start(Container container, String execId) throws InterruptedException {
        ExecProcess exec = container.execs().get(execId);
        ContainerRegistry.EarlyExits early = containers.watchExits();
        try {
            exec.start(new ExecStart() {
                @Override
                public void admit() {
                    if (!container.exitOrdering().beginExecStart(exec)) {
                        throw ShimException.failedPrecondition("container " + container.id()
                                + " init process is not running: failed precondition");
                    }
                }

                @Override
                public Optional<ProcessExit> claim(int pid) {
                    return containers.claimExecPid(container, exec, pid, early);
                }

                @Override
                public void started() {
                    events.publish("/tasks/exec-started", TaskExecStarted.newBuilder()
                            .setContainerId(container.id())
                            .setExecId(execId)
                            .setPid(exec.pid())
                            .build());
                }

                @Override
                public void applyExit(ProcessExit exit) {
                    ExecOperations.this.applyExit(container, exec, exit);
                }

                @Override
                public void abandoned() {
                    container.exitOrdering().execFinished(exec);
                }
            });
        } finally {
            containers.stopWatching(early);
        }
        return StartResponse.newBuilder().setPid(exec.pid()).build();
    }

    /** Delete of an exec: no event, as in the Go shim. */
    DeleteResponse delete(Container container, String execId) throws InterruptedException {
        ExecProcess exec = container.execs().get(execId);
        ExitState exit = exec.delete();
        container.execs().remove(exec);
        containers.forgetExec(exec);
        return DeleteResponse.newBuilder()
                .setPid(exec.pid())
                .setExitStatus(exit.status())
                .setExitedAt(Timestamps.ofOptional(exit.exitedAt()))
                .build();
    }

    /** The reaper's exit of an exec, or a held one after Start: /tasks/exit with the exec id, then the ordering. */
    void applyExit(Container container, ExecProcess exec, ProcessExit exit) {
        exec.setExited(exit, () -> events.publish("/tasks/exit", TaskExit.newBuilder()
                .setContainerId(container.id())
                .setId(exec.id())
                .setPid(exit.pid())
                .setExitStatus(exit.status())
                .setExitedAt(Timestamps.of(exit.exitedAt()))
                .build()));
        container.exitOrdering().execFinished(exec);
    }

    /** The reaper's exit of an exec's pid. */
    void onExit(Container container, ExecProcess exec, ProcessExit exit) {
        if (exec.offerExit(exit)) {
            applyExit(container, exec, exit);
        }
    }

    /** The container was deleted before some of its execs: release their stdio (off the caller's thread). */
    static void abandonAll(Container container) {
        var left = container.execs().all();
        if (left.isEmpty()) {
            return;
        }
        Thread.ofPlatform().daemon().name("jrunc-abandon-" + container.id())
                .start(() -> left.forEach(ExecProcess::abandon));
    }
}
