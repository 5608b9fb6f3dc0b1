package io.jrunc.it.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.events.TaskExecAdded;
import io.jrunc.proto.events.TaskExecStarted;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.runc.v1.ProcessDetails;
import io.jrunc.proto.services.events.v1.Envelope;
import io.jrunc.proto.services.tasks.v1.DeleteProcessRequest;
import io.jrunc.proto.services.tasks.v1.KillRequest;
import io.jrunc.proto.services.tasks.v1.ListPidsRequest;
import io.jrunc.proto.services.tasks.v1.WaitRequest;
import io.jrunc.proto.services.tasks.v1.WaitResponse;
import io.jrunc.proto.types.task.ProcessInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exec processes through ctr and the Tasks API: output, exit codes, concurrency, events, Pids. */
class ExecIT extends ExecScenarios {
    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    private static CommandResult exec(ShimScenario s, String id, String execId, String... command) {
        List<String> args = new ArrayList<>(List.of("task", "exec", "--fifo-dir", containerd.fifoDir().toString(),
                "--exec-id", execId, id));
        args.addAll(List.of(command));
        return s.ctr().run(args.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void execOutputAndExitCodeReachCtr(ShimUnderTest shim) {
        try (ShimScenario s = begin(shim)) {
            s.runDetached("box", "/bin/sleep", "300");

            CommandResult run = exec(s, "box", "x", "/bin/sh", "-c", "echo hi; echo oops >&2; exit 5");

            assertEquals(5, run.exitCode(), run::describe);
            assertEquals("hi\n", run.stdout(), run::describe);
            assertEquals("oops\n", run.stderr(), run::describe);
            // The exec id is free again once ctr deleted the exec.
            CommandResult again = exec(s, "box", "x", "/bin/true");
            assertEquals(0, again.exitCode(), again::describe);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void twentyConcurrentExecsAllFinishWithTheirOwnOutput(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            s.runDetached("busy", "/bin/sleep", "300");

            List<CompletableFuture<CommandResult>> runs = IntStream.range(0, 20)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> exec(s, "busy", "e" + i, "/bin/sh", "-c",
                            "echo out-" + i + "; sleep 0.2; exit " + (i % 7))))
                    .toList();

            for (int i = 0; i < runs.size(); i++) {
                CommandResult r = runs.get(i).get(90, TimeUnit.SECONDS);
                assertEquals(i % 7, r.exitCode(), r::describe);
                assertEquals("out-" + i + "\n", r.stdout(), r::describe);
            }
            assertEquals("RUNNING", s.ctr().task("busy").orElseThrow().status());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void execEventsComeInOrderWithTheExecId(ShimUnderTest shim) throws Exception {
        Set<String> execTopics = Set.of("/tasks/exec-added", "/tasks/exec-started", "/tasks/exit");
        try (ShimScenario s = begin(shim); EventStream events = s.client().subscribe("namespace==" + s.namespace())) {
            events.awaitActive(ARRIVAL);
            s.runDetached("ev", "/bin/sleep", "300");

            CommandResult run = exec(s, "ev", "probe", "/bin/sh", "-c", "exit 3");
            assertEquals(3, run.exitCode(), run::describe);

            List<Envelope> seen = new ArrayList<>();
            events.await(ARRIVAL, "/tasks/exit of exec probe", e -> {
                if (execTopics.contains(e.getTopic())) {
                    seen.add(e);
                }
                return e.getTopic().equals("/tasks/exit");
            });
            assertEquals(List.of("/tasks/exec-added", "/tasks/exec-started", "/tasks/exit"),
                    seen.stream().map(Envelope::getTopic).toList(), () -> "exec events: " + seen);
            TaskExecAdded added = TaskExecAdded.parseFrom(seen.get(0).getEvent().getValue());
            assertEquals("ev", added.getContainerId(), added::toString);
            assertEquals("probe", added.getExecId(), added::toString);
            TaskExecStarted started = TaskExecStarted.parseFrom(seen.get(1).getEvent().getValue());
            assertEquals("probe", started.getExecId(), started::toString);
            assertTrue(started.getPid() > 0, started::toString);
            TaskExit exit = TaskExit.parseFrom(seen.get(2).getEvent().getValue());
            assertEquals("ev", exit.getContainerId(), exit::toString);
            assertEquals("probe", exit.getId(), exit::toString);
            assertEquals(started.getPid(), exit.getPid(), exit::toString);
            assertEquals(3, exit.getExitStatus(), exit::toString);
            assertEquals("containerd.events.TaskExit", seen.get(2).getEvent().getTypeUrl());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void pidsNameTheExecOfEachExecProcess(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            long initPid = s.runDetached("pids", "/bin/sleep", "300");
            s.ctr().ok("task", "exec", "--detach", "--fifo-dir", containerd.fifoDir().toString(), "--exec-id", "sleeper",
                    "pids", "/bin/sleep", "301");

            List<ProcessInfo> processes = s.client().tasks()
                    .listPids(ListPidsRequest.newBuilder().setContainerId("pids").build()).getProcessesList();
            assertEquals(2, processes.size(), processes::toString);
            ProcessInfo init = processes.stream().filter(p -> p.getPid() == initPid).findFirst().orElseThrow();
            assertEquals(false, init.hasInfo(), init::toString);
            ProcessInfo exec = processes.stream().filter(p -> p.getPid() != initPid).findFirst().orElseThrow();
            assertEquals("containerd.runc.v1.ProcessDetails", exec.getInfo().getTypeUrl(), exec::toString);
            assertEquals("sleeper", ProcessDetails.parseFrom(exec.getInfo().getValue()).getExecId());

            CompletableFuture<WaitResponse> waited = CompletableFuture.supplyAsync(() -> s.client().tasks()
                    .withDeadlineAfter(ARRIVAL.toSeconds(), TimeUnit.SECONDS)
                    .wait(WaitRequest.newBuilder().setContainerId("pids").setExecId("sleeper").build()));
            s.client().tasks().kill(KillRequest.newBuilder().setContainerId("pids").setExecId("sleeper").setSignal(9).build());
            assertEquals(137, waited.get(ARRIVAL.toSeconds(), TimeUnit.SECONDS).getExitStatus());
            s.client().tasks().deleteProcess(DeleteProcessRequest.newBuilder().setContainerId("pids").setExecId("sleeper").build());
            assertEquals(1, s.client().tasks().listPids(ListPidsRequest.newBuilder().setContainerId("pids").build())
                    .getProcessesCount());
        }
    }
}
