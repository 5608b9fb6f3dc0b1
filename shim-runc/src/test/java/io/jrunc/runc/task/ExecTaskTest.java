package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jrunc.json.Json;
import io.jrunc.proto.events.TaskExecAdded;
import io.jrunc.proto.events.TaskExecStarted;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.runc.v1.ProcessDetails;
import io.jrunc.proto.task.v2.CloseIORequest;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.ExecProcessRequest;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.PauseRequest;
import io.jrunc.proto.task.v2.PidsRequest;
import io.jrunc.proto.task.v2.ResumeRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.types.task.ProcessInfo;
import io.jrunc.proto.types.task.Status;
import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.runc.testsupport.RecordingEvents;
import io.jrunc.shim.errors.ErrorKind;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Exec processes against the fake runc: the Go shim's semantics, and containerd 2.x's exit order. */
class ExecTaskTest extends FakeRuncServiceTestBase {
    private static final String PROCESS_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Process";
    private static final String SPEC = "{\"args\":[\"/bin/sh\",\"-c\",\"true\"],\"cwd\":\"/\",\"terminal\":true,"
            + "\"env\":[\"A=B\"],\"user\":{\"uid\":0,\"gid\":0},\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
            + "\"hard\":18446744073709551615,\"soft\":1024}]}";

    private ExecProcessRequest.Builder execRequest(String id, String execId) {
        return ExecProcessRequest.newBuilder().setId(id).setExecId(execId)
                .setSpec(Any.newBuilder().setTypeUrl(PROCESS_TYPE).setValue(ByteString.copyFromUtf8(SPEC)));
    }

    private int startExec(String id, String execId) throws Exception {
        return service.start(StartRequest.newBuilder().setId(id).setExecId(execId).build()).getPid();
    }

    private void kill(String id, String execId, int signal) throws Exception {
        service.kill(KillRequest.newBuilder().setId(id).setExecId(execId).setSignal(signal).build());
    }

    @Test
    void execRunsThroughTheGoShimsLifecycleAndEvents() throws Exception {
        run("c1", "exec sleep 100");
        Path fifos = Files.createDirectories(dir.resolve("fifos"));
        Path stdin = fifos.resolve("e1-stdin");
        Path stdout = fifos.resolve("e1-stdout");
        for (Path p : List.of(stdin, stdout)) {
            FakeRunc.mkfifo(p);
        }
        CompletableFuture<byte[]> out = readAll(stdout);
        runc.execCommand("e1", "cat; echo exec-out; exit 5");

        service.exec(execRequest("c1", "e1").setStdin(stdin.toString()).setStdout(stdout.toString()).build());
        StateResponse created = state("c1", "e1");
        assertEquals(Status.CREATED, created.getStatus());
        assertEquals("e1", created.getId());
        assertEquals(0, created.getPid());
        assertEquals(Timestamps.GO_ZERO, created.getExitedAt());
        assertEquals(dir.resolve("bundles/c1").toString(), created.getBundle());

        int pid = startExec("c1", "e1");
        assertTrue(pid > 0);
        assertEquals(Status.RUNNING, state("c1", "e1").getStatus());
        try (OutputStream o = Files.newOutputStream(stdin)) {
            o.write("to-cat\n".getBytes(StandardCharsets.UTF_8));
        }
        service.closeIO(CloseIORequest.newBuilder().setId("c1").setExecId("e1").setStdin(true).build());
        assertEquals(5, waitFor("c1", "e1").getExitStatus());
        assertEquals("to-cat\nexec-out\n", new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));

        StateResponse stopped = state("c1", "e1");
        assertEquals(Status.STOPPED, stopped.getStatus());
        assertEquals(5, stopped.getExitStatus());
        assertEquals(pid, stopped.getPid());
        assertEquals(Status.RUNNING, state("c1", "").getStatus(), "the init is not touched");

        List<RecordingEvents.Event> all = events.all();
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exec-added", "/tasks/exec-started", "/tasks/exit"),
                events.topics());
        assertEquals(TaskExecAdded.newBuilder().setContainerId("c1").setExecId("e1").build(), all.get(2).payload());
        assertEquals(TaskExecStarted.newBuilder().setContainerId("c1").setExecId("e1").setPid(pid).build(),
                all.get(3).payload());
        assertEquals(TaskExit.newBuilder().setContainerId("c1").setId("e1").setPid(pid).setExitStatus(5)
                .setExitedAt(stopped.getExitedAt()).build(), all.get(4).payload());

        // runc exec got the spec with the request's terminal flag, everything else as sent.
        Map<String, Object> spec = Json.parseObject(runc.recorded("process-e1.json"));
        assertEquals(false, spec.get("terminal"));
        assertEquals(List.of("/bin/sh", "-c", "true"), spec.get("args"));
        assertEquals(Json.parseObject(SPEC).get("rlimits"), spec.get("rlimits"));
        Path bundle = dir.resolve("bundles/c1");
        String execLine = runc.subcommands().stream().filter(l -> l.startsWith("exec ")).findFirst().orElseThrow();
        String[] words = execLine.split(" ");
        assertEquals(List.of("exec", "--process"), List.of(words).subList(0, 2));
        assertTrue(words[2].contains("runc-process"), execLine);
        assertFalse(Files.exists(Path.of(words[2])), "the temporary spec is removed");
        assertEquals(List.of("--detach", "--pid-file", bundle.resolve("e1.pid").toString(), "c1"),
                List.of(words).subList(3, words.length));

        DeleteResponse deleted = service.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build());
        assertEquals(pid, deleted.getPid());
        assertEquals(5, deleted.getExitStatus());
        assertEquals(stopped.getExitedAt(), deleted.getExitedAt());
        assertFalse(Files.exists(bundle.resolve("e1.pid")));
        assertEquals(5, events.topics().size(), "deleting an exec publishes nothing");
        assertStatus(ErrorKind.NOT_FOUND, "process does not exist e1: not found", () -> state("c1", "e1"));
        assertStatus(ErrorKind.NOT_FOUND, "process does not exist e1: not found",
                () -> service.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build()));
        // The id is free again.
        service.exec(execRequest("c1", "e1").build());
    }

    @Test
    void execRequestsAreCheckedAsTheGoShimDoes() throws Exception {
        create("c1", "exec sleep 100");
        service.exec(execRequest("c1", "e1").build()); // a created init takes execs
        assertStatus(ErrorKind.ALREADY_EXISTS, "id e1: already exists", () -> service.exec(execRequest("c1", "e1").build()));
        assertStatus(ErrorKind.NOT_FOUND, "container not created: not found",
                () -> service.exec(execRequest("nope", "e1").build()));
        assertStatus(ErrorKind.INVALID_ARGUMENT, "ExecProcessRequest.spec must hold the OCI process (JSON) to run",
                () -> service.exec(execRequest("c1", "e2").clearSpec().build()));
        assertCode(ErrorKind.INVALID_ARGUMENT, () -> service.exec(execRequest("c1", "e2")
                .setSpec(Any.newBuilder().setTypeUrl(PROCESS_TYPE).setValue(ByteString.copyFromUtf8("[1,2]"))).build()));
        assertCode(ErrorKind.INVALID_ARGUMENT, () -> service.exec(execRequest("c1", "../escape").build()));
        assertCode(ErrorKind.INVALID_ARGUMENT, () -> service.exec(execRequest("c1", "").build()));
        // Refused requests leave their id free.
        service.exec(execRequest("c1", "e2").build());

        service.start(StartRequest.newBuilder().setId("c1").build());
        service.pause(PauseRequest.newBuilder().setId("c1").build());
        assertStatus(ErrorKind.UNKNOWN, "cannot exec in a paused state", () -> service.exec(execRequest("c1", "e3").build()));
        assertEquals(Status.PAUSED, state("c1", "e1").getStatus(), "an exec of a paused container reports paused");
        service.resume(ResumeRequest.newBuilder().setId("c1").build());
        assertEquals(Status.CREATED, state("c1", "e1").getStatus());

        kill("c1", "", 9);
        waitFor("c1", "");
        assertStatus(ErrorKind.UNKNOWN, "cannot exec in a stopped state", () -> service.exec(execRequest("c1", "e3").build()));
        assertEquals(List.of("/tasks/create", "/tasks/exec-added", "/tasks/exec-added", "/tasks/start", "/tasks/paused",
                "/tasks/resumed", "/tasks/exit"), events.topics());
    }

    @Test
    void killAndDeleteFollowTheExecStateMachine() throws Exception {
        run("c1", "exec sleep 100");
        runc.execCommand("e1", "exec sleep 100");
        service.exec(execRequest("c1", "e1").build());
        assertStatus(ErrorKind.FAILED_PRECONDITION, "process not created: failed precondition", () -> kill("c1", "e1", 9));
        int pid = startExec("c1", "e1");
        assertStatus(ErrorKind.UNKNOWN, "cannot start a running process", () -> startExec("c1", "e1"));
        assertStatus(ErrorKind.UNKNOWN, "cannot delete a running process",
                () -> service.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build()));

        kill("c1", "e1", 15);
        assertEquals(143, waitFor("c1", "e1").getExitStatus());
        assertStatus(ErrorKind.NOT_FOUND, "process already finished: not found", () -> kill("c1", "e1", 9));
        assertStatus(ErrorKind.UNKNOWN, "cannot start a stopped process", () -> startExec("c1", "e1"));
        assertEquals(pid, ((TaskExit) events.await("/tasks/exit", EVENT_WAIT).payload()).getPid());
        assertEquals(Status.RUNNING, state("c1", "").getStatus());
        assertStatus(ErrorKind.NOT_FOUND, "process does not exist e9: not found", () -> kill("c1", "e9", 9));
    }

    @Test
    void anExecThatExitsBeforeItsPidIsReadIsStartedThenExited() throws Exception {
        run("c1", "exec sleep 100");
        runc.execWritesPidLate();
        runc.execCommand("e1", "exit 3");
        service.exec(execRequest("c1", "e1").build());
        int pid = startExec("c1", "e1");
        assertEquals(3, waitFor("c1", "e1").getExitStatus());
        TaskExit exit = (TaskExit) events.await("/tasks/exit", EVENT_WAIT).payload();
        assertEquals(pid, exit.getPid());
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exec-added", "/tasks/exec-started", "/tasks/exit"),
                events.topics());
    }

    @Test
    void aFailedExecStartReleasesWaitersAndCanBeDeleted() throws Exception {
        run("c1", "exec sleep 100");
        service.exec(execRequest("c1", "e1").build());
        runc.failNext("exec", "exec failed: no such file");
        assertStatus(ErrorKind.UNKNOWN, "OCI runtime exec failed: exec failed: no such file", () -> startExec("c1", "e1"));
        assertEquals(0, waitFor("c1", "e1").getExitStatus(), "Wait returns at once, as in Go");
        assertEquals(Status.CREATED, state("c1", "e1").getStatus());
        runc.clearFailure("exec");
        service.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build());
        // The failed start does not hold back the init's exit.
        kill("c1", "", 9);
        assertEquals(137, waitFor("c1", "").getExitStatus());
    }

    @Test
    void aFailedExecStartWithStdioIsDeletedWithoutWaitingForOutput() throws Exception {
        run("c1", "exec sleep 100");
        Path stdout = Files.createDirectories(dir.resolve("fifos")).resolve("e1-stdout");
        FakeRunc.mkfifo(stdout);
        service.exec(execRequest("c1", "e1").setStdout(stdout.toString()).build());
        runc.failNext("exec", "exec failed: no such file");
        assertStatus(ErrorKind.UNKNOWN, "OCI runtime exec failed: exec failed: no such file", () -> startExec("c1", "e1"));
        runc.clearFailure("exec");
        long begin = System.nanoTime();
        service.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build());
        long tookMillis = (System.nanoTime() - begin) / 1_000_000;
        // No copier ever started, so there is no output to drain (the drain timeout is 2 s); CRI's
        // ExecSync of a missing program must fail promptly, as with the Go shim.
        assertTrue(tookMillis < 1000, "delete of a failed exec took " + tookMillis + " ms");
    }

    @Test
    void theInitExitIsPublishedAfterTheExitsOfRunningExecs() throws Exception {
        int initPid = run("c1", "exec sleep 100");
        runc.execCommand("e1", "exec sleep 100");
        service.exec(execRequest("c1", "e1").build());
        service.exec(execRequest("c1", "e2").build());
        startExec("c1", "e1");
        // A refused second Start must not make e1 count as finished.
        assertStatus(ErrorKind.UNKNOWN, "cannot start a running process", () -> startExec("c1", "e1"));

        kill("c1", "", 9);
        // The init is gone, but its exit waits for e1's: wait until the service holds it (the real condition).
        ExitOrdering ordering = service.findContainer("c1").orElseThrow().exitOrdering();
        long deadline = System.nanoTime() + EVENT_WAIT.toNanos();
        while (!ordering.holdsInitExit()) {
            assertTrue(System.nanoTime() < deadline, "the init's exit (pid " + initPid + ") was never held for e1");
            Thread.sleep(5);
        }
        assertStatus(ErrorKind.FAILED_PRECONDITION, "container c1 init process is not running: failed precondition",
                () -> startExec("c1", "e2"));
        assertFalse(events.topics().contains("/tasks/exit"), events.topics().toString());
        assertEquals(Status.RUNNING, state("c1", "").getStatus());

        kill("c1", "e1", 9);
        events.await("/tasks/exit", EVENT_WAIT);
        assertEquals(137, waitFor("c1", "").getExitStatus());
        List<TaskExit> exits = new ArrayList<>();
        for (RecordingEvents.Event e : events.all()) {
            if (e.topic().equals("/tasks/exit")) {
                exits.add((TaskExit) e.payload());
            }
        }
        assertEquals(List.of("e1", "c1"), exits.stream().map(TaskExit::getId).toList());
        service.delete(DeleteRequest.newBuilder().setId("c1").build());
    }

    @Test
    void pidsTellExecProcessesApart() throws Exception {
        int initPid = run("c1", "exec sleep 100");
        runc.execCommand("e1", "exec sleep 100");
        service.exec(execRequest("c1", "e1").build());
        int execPid = startExec("c1", "e1");
        List<ProcessInfo> processes = service.pids(PidsRequest.newBuilder().setId("c1").build()).getProcessesList();
        assertEquals(List.of(initPid, execPid), processes.stream().map(ProcessInfo::getPid).toList());
        assertFalse(processes.get(0).hasInfo(), "the init has no details");
        Any info = processes.get(1).getInfo();
        assertEquals("containerd.runc.v1.ProcessDetails", info.getTypeUrl(), "bare type URL, as containerd 1.6 needs");
        assertEquals("e1", ProcessDetails.parseFrom(info.getValue()).getExecId());
        kill("c1", "e1", 9);
        waitFor("c1", "e1");
    }

    @Test
    void deletingTheContainerReleasesItsExecs() throws Exception {
        create("c1", "exec sleep 100");
        service.exec(execRequest("c1", "e1").build());
        service.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertStatus(ErrorKind.NOT_FOUND, "container not created: not found", () -> state("c1", "e1"));
    }
}
