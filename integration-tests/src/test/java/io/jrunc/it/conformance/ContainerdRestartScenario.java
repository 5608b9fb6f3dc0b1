package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.UnixSockets;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.services.events.v1.Envelope;
import io.jrunc.proto.types.task.Process;
import io.jrunc.proto.types.task.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * containerd is SIGKILLed under two running tasks and started again on the same state: the task that kept
 * running is RUNNING with the same pid, still answers Kill (its exit event reaches the new containerd) and is
 * deletable. The task that exited while containerd was down reports its real exit code (7) through Get, Wait
 * and Delete on 1.6; 1.7 and later find no processes in its reloaded shim, treat it as leaked (containerd#6860)
 * and remove task and shim while loading. This is the shim reconnect path (1.x: the bundle's address file,
 * 2.x: bootstrap.json).
 */
final class ContainerdRestartScenario implements ConformanceScenario {
    private static final Duration ARRIVAL = Duration.ofSeconds(20);

    @Override
    public String name() {
        return "containerd-restart";
    }

    @Override
    public String summary() {
        return "kill -9 containerd, restart: running task RUNNING + killable (exit event); task exited meanwhile: "
                + "7 via Get/Wait/Delete (1.6), removed as a leaked shim (1.7+)";
    }

    @Override
    public void run(CellRun run) throws Exception {
        long survivor = run.run("survivor", "/bin/sleep", "300");
        long quitter = run.run("quitter", "/bin/sh", "-c", "trap 'exit 7' USR1; sleep 300 & wait");
        Checks.awaitProcesses(run, "quitter", 2);
        run.reconnect();

        run.containerd().kill9();
        Command.run(Duration.ofSeconds(10), List.of("kill", "-USR1", Long.toString(quitter))).orThrow();
        assertTrue(Poll.until(ARRIVAL, () -> !Procs.running(quitter)), "quitter's init exits while containerd is down");
        run.containerd().restart();

        Process kept = run.get("survivor");
        assertEquals(Status.RUNNING, kept.getStatus(), kept::toString);
        assertEquals(survivor, kept.getPid(), kept::toString);
        if (run.isContainerd16()) {
            Process quit = run.get("quitter");
            assertEquals(Status.STOPPED, quit.getStatus(), quit::toString);
            assertEquals(7, quit.getExitStatus(), quit::toString);
            assertEquals(7, run.await("quitter").getExitStatus(), "Wait after the restart");
            assertEquals(7, run.deleteTask("quitter").getExitStatus(), "Delete after the restart");
        } else {
            // 1.7+ (containerd#6860): a reloaded shim with no processes left is a "leaked shim process";
            // containerd deletes its task and shuts it down while loading, without events.
            Checks.fails(io.grpc.Status.Code.NOT_FOUND, () -> run.get("quitter"),
                    "Get of a task that exited while containerd " + run.version() + " was down");
            Path socket = ShimAddress.derived(run.containerd().grpcSocket(), run.namespace(), "quitter");
            assertTrue(Poll.until(ARRIVAL, () -> !Files.exists(socket) || !UnixSockets.accepts(socket)),
                    "the quitter's shim stops serving " + socket);
        }
        run.deleteContainer("quitter");

        try (EventStream events = run.client().subscribe("namespace==" + run.namespace())) {
            events.awaitActive(ARRIVAL);
            run.kill("survivor", 9);
            // The quitter's exit may arrive here too: a shim still alive retries events containerd missed.
            Envelope env = events.await(ARRIVAL, "/tasks/exit of survivor",
                    e -> e.getTopic().equals("/tasks/exit") && exitOf(e).getContainerId().equals("survivor"));
            TaskExit exit = exitOf(env);
            assertEquals(List.of("survivor", survivor, 137), List.of(exit.getContainerId(), (long) exit.getPid(),
                    exit.getExitStatus()), exit::toString);
        }
        assertEquals(137, run.await("survivor").getExitStatus());
        assertEquals(137, run.deleteTask("survivor").getExitStatus());
        run.deleteContainer("survivor");
    }

    private static TaskExit exitOf(Envelope e) {
        try {
            return TaskExit.parseFrom(e.getEvent().getValue());
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new AssertionError("undecodable TaskExit: " + e, ex);
        }
    }
}
