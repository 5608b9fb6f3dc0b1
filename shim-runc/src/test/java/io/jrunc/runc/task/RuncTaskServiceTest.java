package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.proto.events.TaskCreate;
import io.jrunc.proto.events.TaskDelete;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.events.TaskStart;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.proto.task.v2.CloseIORequest;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.PauseRequest;
import io.jrunc.proto.task.v2.PidsRequest;
import io.jrunc.proto.task.v2.ResumeRequest;
import io.jrunc.proto.task.v2.ShutdownRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.task.v2.WaitRequest;
import io.jrunc.proto.task.v2.WaitResponse;
import io.jrunc.proto.types.task.Status;
import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.runc.testsupport.Natives;
import io.jrunc.runc.testsupport.RecordingEvents;
import io.jrunc.shim.ShimContext;
import io.jrunc.shim.ShimFlags;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The Task service against a fake runc that runs real processes, reaped by the real reaper. */
@Timeout(60)
class RuncTaskServiceTest {
    private static final Duration EVENT_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private FakeRunc runc;
    private RecordingEvents events;
    private final CountDownLatch exitRequested = new CountDownLatch(1);
    private RuncTaskService service;

    @BeforeEach
    void setUp() throws IOException {
        runc = new FakeRunc(dir);
        events = new RecordingEvents();
        ShimFlags flags = new ShimFlags("testns", "c1", "/run/test.sock", "", dir, false, Optional.empty(),
                ShimFlags.Action.SERVE);
        ShimContext.DaemonLifecycle lifecycle = new ShimContext.DaemonLifecycle() {
            @Override
            public void requestExit() {
                exitRequested.countDown();
            }

            @Override
            public long pid() {
                return 4321;
            }
        };
        service = new RuncTaskService(new ShimContext(flags, events, Natives.reaper(), lifecycle), Natives.posix(),
                "test-version");
    }

    /** Kills whatever fake container process is still alive. */
    @AfterEach
    void killLeftovers() throws IOException {
        Path states = runc.root().resolve("testns");
        if (!Files.isDirectory(states)) {
            return;
        }
        try (Stream<Path> ids = Files.list(states)) {
            for (Path state : ids.toList()) {
                Path pidFile = state.resolve("pid");
                if (Files.exists(pidFile)) {
                    try {
                        Natives.posix().kill(Integer.parseInt(Files.readString(pidFile).strip()), Posix.SIGKILL);
                    } catch (PosixException e) {
                        // already gone
                    }
                }
            }
        }
    }

    private Path bundle(String id, boolean privatePidNamespace) throws IOException {
        Path bundle = Files.createDirectories(dir.resolve("bundles").resolve(id));
        String namespaces = privatePidNamespace ? "[{\"type\":\"pid\"},{\"type\":\"mount\"}]" : "[{\"type\":\"mount\"}]";
        Files.writeString(bundle.resolve("config.json"), "{\"linux\":{\"namespaces\":" + namespaces + "}}");
        return bundle;
    }

    private CreateTaskRequest.Builder createRequest(String id) throws IOException {
        Options options = Options.newBuilder().setBinaryName(runc.binary().toString())
                .setRoot(runc.root().toString()).build();
        return CreateTaskRequest.newBuilder()
                .setId(id)
                .setBundle(bundle(id, true).toString())
                .setOptions(Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(options.toByteString()));
    }

    private int create(String id, String command) throws Exception {
        runc.command(id, command);
        return service.create(createRequest(id).build()).getPid();
    }

    private StateResponse state(String id) {
        return service.state(StateRequest.newBuilder().setId(id).build());
    }

    private WaitResponse waitFor(String id) throws Exception {
        return service.waitFor(WaitRequest.newBuilder().setId(id).build());
    }

    private static void assertStatus(ErrorKind code, String message, Executable call) {
        ShimException e = assertThrows(ShimException.class, call);
        assertEquals(code, e.kind(), e.getMessage());
        assertEquals(message, e.getMessage());
    }

    @Test
    void lifecycleEventsComeInOrderWithGoFields() throws Exception {
        int pid = create("c1", "exit 3");
        assertTrue(pid > 0);
        StateResponse created = state("c1");
        assertEquals(Status.CREATED, created.getStatus());
        assertEquals(pid, created.getPid());
        assertEquals(Timestamps.GO_ZERO, created.getExitedAt());

        assertEquals(pid, service.start(StartRequest.newBuilder().setId("c1").build()).getPid());
        WaitResponse exit = waitFor("c1");
        assertEquals(3, exit.getExitStatus());
        assertNotEquals(Timestamps.GO_ZERO, exit.getExitedAt());
        StateResponse stopped = state("c1");
        assertEquals(Status.STOPPED, stopped.getStatus());
        assertEquals(3, stopped.getExitStatus());
        assertEquals(exit.getExitedAt(), stopped.getExitedAt());

        DeleteResponse deleted = service.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertEquals(pid, deleted.getPid());
        assertEquals(3, deleted.getExitStatus());
        assertEquals(exit.getExitedAt(), deleted.getExitedAt());

        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"), events.topics());
        List<RecordingEvents.Event> all = events.all();
        TaskCreate taskCreate = (TaskCreate) all.get(0).payload();
        assertEquals("c1", taskCreate.getContainerId());
        assertEquals(dir.resolve("bundles/c1").toString(), taskCreate.getBundle());
        assertEquals(pid, taskCreate.getPid());
        assertEquals(TaskStart.newBuilder().setContainerId("c1").setPid(pid).build(), all.get(1).payload());
        assertEquals(TaskExit.newBuilder().setContainerId("c1").setId("c1").setPid(pid).setExitStatus(3)
                .setExitedAt(exit.getExitedAt()).build(), all.get(2).payload());
        assertEquals(TaskDelete.newBuilder().setContainerId("c1").setPid(pid).setExitStatus(3)
                .setExitedAt(exit.getExitedAt()).build(), all.get(3).payload());

        Path bundle = dir.resolve("bundles/c1");
        assertEquals(List.of(
                "create --bundle " + bundle + " --pid-file " + bundle.resolve("init.pid") + " c1",
                "start c1",
                "delete c1"), runc.subcommands());
        assertTrue(runc.invocations().getFirst().startsWith("--root " + runc.root().resolve("testns")
                + " --log " + bundle.resolve("log.json") + " --log-format json create"), runc.invocations().getFirst());
        assertEquals("{\"binary_name\":\"" + runc.binary() + "\",\"root\":\"" + runc.root() + "\"}",
                Files.readString(bundle.resolve("options.json")));
        assertEquals(runc.binary().toString(), Files.readString(bundle.resolve("runtime")));

        assertStatus(ErrorKind.NOT_FOUND, "container not created: not found", () -> state("c1"));
        assertStatus(ErrorKind.NOT_FOUND, "container not created: not found",
                () -> service.delete(DeleteRequest.newBuilder().setId("c1").build()));
        service.shutdown(ShutdownRequest.newBuilder().setId("c1").build());
        assertTrue(exitRequested.await(5, TimeUnit.SECONDS), "shutdown with no containers exits the daemon");
    }

    @Test
    void killedProcessExitsWith128PlusSignal() throws Exception {
        create("c1", "exec sleep 100");
        service.start(StartRequest.newBuilder().setId("c1").build());
        assertEquals(Status.RUNNING, state("c1").getStatus());
        assertStatus(ErrorKind.UNKNOWN, "cannot start a running process",
                () -> service.start(StartRequest.newBuilder().setId("c1").build()));
        assertStatus(ErrorKind.UNKNOWN, "cannot delete a running process",
                () -> service.delete(DeleteRequest.newBuilder().setId("c1").build()));

        service.kill(KillRequest.newBuilder().setId("c1").setSignal(15).build());
        assertEquals(143, waitFor("c1").getExitStatus());
        assertStatus(ErrorKind.NOT_FOUND, "process already finished: not found",
                () -> service.kill(KillRequest.newBuilder().setId("c1").setSignal(9).build()));
        assertEquals(143, ((TaskExit) events.await("/tasks/exit", EVENT_WAIT).payload()).getExitStatus());
        assertEquals(143, service.delete(DeleteRequest.newBuilder().setId("c1").build()).getExitStatus());
        assertStatus(ErrorKind.NOT_FOUND, "container not created: not found",
                () -> service.kill(KillRequest.newBuilder().setId("c1").setSignal(9).build()));
    }

    @Test
    void initExitingBeforeItsPidIsReadIsStillMatched() throws Exception {
        runc.exitEarly("c1");
        int pid = create("c1", "exit 7");
        TaskExit exit = (TaskExit) events.await("/tasks/exit", EVENT_WAIT).payload();
        assertEquals(pid, exit.getPid());
        assertEquals(7, exit.getExitStatus());
        assertEquals(List.of("/tasks/create", "/tasks/exit"), events.topics());
        assertEquals(Status.STOPPED, state("c1").getStatus());
        assertEquals(7, waitFor("c1").getExitStatus());
        assertStatus(ErrorKind.UNKNOWN, "cannot start a stopped process",
                () -> service.start(StartRequest.newBuilder().setId("c1").build()));
    }

    @Test
    void unknownContainersAndExecsAreNotFound() throws Exception {
        String notCreated = "container not created: not found";
        assertStatus(ErrorKind.NOT_FOUND, notCreated, () -> state("nope"));
        assertStatus(ErrorKind.NOT_FOUND, notCreated, () -> service.start(StartRequest.newBuilder().setId("nope").build()));
        assertStatus(ErrorKind.NOT_FOUND, notCreated, () -> service.kill(KillRequest.newBuilder().setId("nope").build()));
        assertStatus(ErrorKind.NOT_FOUND, notCreated, () -> service.delete(DeleteRequest.newBuilder().setId("nope").build()));
        assertStatus(ErrorKind.NOT_FOUND, notCreated, () -> waitFor("nope"));
        assertStatus(ErrorKind.NOT_FOUND, notCreated, () -> service.pids(PidsRequest.newBuilder().setId("nope").build()));
        ConnectResponse connect = service.connect(ConnectRequest.newBuilder().setId("nope").build());
        assertEquals(4321, connect.getShimPid());
        assertEquals(0, connect.getTaskPid());

        int pid = create("c1", "true");
        assertEquals(pid, service.connect(ConnectRequest.newBuilder().setId("c1").build()).getTaskPid());
        assertStatus(ErrorKind.NOT_FOUND, "process does not exist e1: not found",
                () -> service.state(StateRequest.newBuilder().setId("c1").setExecId("e1").build()));
        assertStatus(ErrorKind.NOT_FOUND, "process does not exist e1: not found",
                () -> service.kill(KillRequest.newBuilder().setId("c1").setExecId("e1").setSignal(9).build()));
        assertStatus(ErrorKind.ALREADY_EXISTS, "container c1: already exists",
                () -> service.create(createRequest("c1").build()));
    }

    @Test
    void runcFailuresSurfaceTheLastLoggedError() throws Exception {
        runc.failNext("create", "rootfs (\\\"/nonexistent\\\") does not exist");
        assertStatus(ErrorKind.UNKNOWN, "OCI runtime create failed: rootfs (\"/nonexistent\") does not exist",
                () -> create("c1", "true"));
        assertEquals(List.of(), events.topics());
        runc.clearFailure("create");

        create("c1", "true");
        runc.failNext("start", "cannot start an already running container");
        assertStatus(ErrorKind.UNKNOWN, "OCI runtime start failed: cannot start an already running container",
                () -> service.start(StartRequest.newBuilder().setId("c1").build()));
        runc.clearFailure("start");
        assertEquals(Status.CREATED, state("c1").getStatus());

        runc.failNext("kill", "permission denied");
        assertStatus(ErrorKind.UNKNOWN,
                "unknown error after kill: " + runc.binary() + " did not terminate successfully: exit status 1: permission denied",
                () -> service.kill(KillRequest.newBuilder().setId("c1").setSignal(9).build()));
        runc.clearFailure("kill");

        runc.failNext("delete", "container does not exist");
        DeleteResponse deleted = service.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertEquals(0, deleted.getExitStatus(), "runc's 'does not exist' on delete is ignored, as in Go");
        assertEquals(Timestamps.GO_ZERO, deleted.getExitedAt());
    }

    @Test
    void stdioIsCopiedByteForByte() throws Exception {
        Path fifos = Files.createDirectories(dir.resolve("fifos"));
        Path stdin = fifos.resolve("c1-stdin");
        Path stdout = fifos.resolve("c1-stdout");
        Path stderr = fifos.resolve("c1-stderr");
        for (Path p : List.of(stdin, stdout, stderr)) {
            FakeRunc.mkfifo(p);
        }
        CompletableFuture<byte[]> out = readAll(stdout);
        CompletableFuture<byte[]> err = readAll(stderr);
        CompletableFuture<Void> in = CompletableFuture.runAsync(() -> {
            try (OutputStream o = Files.newOutputStream(stdin)) {
                o.write("hello stdin\n".getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
        runc.command("c1", "cat; seq 1 200000; echo to-stderr >&2; exit 5");
        service.create(createRequest("c1").setStdin(stdin.toString()).setStdout(stdout.toString())
                .setStderr(stderr.toString()).build());
        service.start(StartRequest.newBuilder().setId("c1").build());
        in.get(10, TimeUnit.SECONDS);
        // The shim still holds a writer on stdin: cat sees EOF only after CloseIO.
        service.closeIO(CloseIORequest.newBuilder().setId("c1").setStdin(true).build());

        String expected = "hello stdin\n" + IntStream.rangeClosed(1, 200000).mapToObj(Integer::toString)
                .collect(Collectors.joining("\n", "", "\n"));
        assertEquals(expected, new String(out.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        assertEquals("to-stderr\n", new String(err.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        assertEquals(5, waitFor("c1").getExitStatus());
        assertEquals(stdout.toString(), state("c1").getStdout());
        service.delete(DeleteRequest.newBuilder().setId("c1").build());
    }

    @Test
    void fileStdioAppendsStdoutAndStderrToOneFile() throws Exception {
        Path log = dir.resolve("logs/sub/c1.log");
        runc.command("c1", "echo out; echo err >&2");
        service.create(createRequest("c1").setStdout("file://" + log).setStderr("file://" + log).build());
        service.start(StartRequest.newBuilder().setId("c1").build());
        assertEquals(0, waitFor("c1").getExitStatus());
        service.delete(DeleteRequest.newBuilder().setId("c1").build());
        String text = Files.readString(log);
        assertTrue(text.equals("out\nerr\n") || text.equals("err\nout\n"), text);
    }

    @Test
    void unsupportedStdioIsRefusedClearly() throws Exception {
        assertStatus(ErrorKind.UNKNOWN, "failed to create init process I/O: failed to start binary process: "
                        + "fork/exec /nonexistent/logger: no such file or directory",
                () -> service.create(createRequest("c1").setStdout("binary:///nonexistent/logger").build()));
        assertStatus(ErrorKind.UNKNOWN, "failed to create init process I/O: unknown STDIO scheme gopher",
                () -> service.create(createRequest("c2").setStdout("gopher://x").build()));
        assertTrue(runc.invocations().isEmpty());
        // A refused Create leaves nothing behind: the id can be used again.
        runc.command("c1", "true");
        assertTrue(service.create(createRequest("c1").build()).getPid() > 0);
    }

    @Test
    void manyWaitersAreWokenAndOtherContainersAreUndisturbed() throws Exception {
        create("a", "exec sleep 100");
        create("b", "exec sleep 100");
        service.start(StartRequest.newBuilder().setId("a").build());
        service.start(StartRequest.newBuilder().setId("b").build());
        List<CompletableFuture<WaitResponse>> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waiters.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return waitFor("a");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r)));
        }
        int pidA = state("a").getPid();
        assertEquals(List.of(pidA), service.pids(PidsRequest.newBuilder().setId("a").build()).getProcessesList()
                .stream().map(p -> p.getPid()).toList());
        service.kill(KillRequest.newBuilder().setId("a").setSignal(9).build());
        for (CompletableFuture<WaitResponse> w : waiters) {
            assertEquals(137, w.get(10, TimeUnit.SECONDS).getExitStatus());
        }
        assertEquals(Status.RUNNING, state("b").getStatus());
        service.delete(DeleteRequest.newBuilder().setId("a").build());
        service.shutdown(ShutdownRequest.newBuilder().build());
        assertFalse(exitRequested.await(300, TimeUnit.MILLISECONDS), "b is still served");
        service.kill(KillRequest.newBuilder().setId("b").setSignal(9).build());
        assertEquals(137, waitFor("b").getExitStatus());
    }

    @Test
    void deletingACreatedTaskReleasesWaiters() throws Exception {
        create("c1", "true");
        CompletableFuture<WaitResponse> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return waitFor("c1");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        DeleteResponse deleted = service.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertEquals(Timestamps.GO_ZERO, deleted.getExitedAt());
        assertEquals(Timestamps.GO_ZERO, waiter.get(5, TimeUnit.SECONDS).getExitedAt());
        assertEquals(List.of("/tasks/create", "/tasks/delete"), events.topics());
    }

    @Test
    void sharedPidNamespaceKillsEverythingWhenInitExits() throws Exception {
        runc.command("c1", "exit 0");
        Options options = Options.newBuilder().setBinaryName(runc.binary().toString())
                .setRoot(runc.root().toString()).build();
        service.create(CreateTaskRequest.newBuilder().setId("c1").setBundle(bundle("c1", false).toString())
                .setOptions(Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(options.toByteString()))
                .build());
        service.start(StartRequest.newBuilder().setId("c1").build());
        events.await("/tasks/exit", EVENT_WAIT);
        assertTrue(runc.subcommands().contains("kill --all c1 9"), runc.subcommands().toString());

        create("c2", "exit 0");
        service.start(StartRequest.newBuilder().setId("c2").build());
        assertEquals(0, waitFor("c2").getExitStatus());
        assertFalse(runc.subcommands().contains("kill --all c2 9"), "a private pid namespace dies with its init");
    }

    @Test
    void pauseAndResumeFollowTheGoStateMachine() throws Exception {
        create("c1", "exec sleep 100");
        assertStatus(ErrorKind.UNKNOWN, "cannot pause task in created state",
                () -> service.pause(PauseRequest.newBuilder().setId("c1").build()));
        assertStatus(ErrorKind.UNKNOWN, "cannot resume task in created state",
                () -> service.resume(ResumeRequest.newBuilder().setId("c1").build()));
        service.start(StartRequest.newBuilder().setId("c1").build());
        assertStatus(ErrorKind.UNKNOWN, "cannot resume a running process",
                () -> service.resume(ResumeRequest.newBuilder().setId("c1").build()));
        service.pause(PauseRequest.newBuilder().setId("c1").build());
        assertEquals(Status.PAUSED, state("c1").getStatus());
        assertEquals("T", awaitProcState(state("c1").getPid(), "T"), "the fake runc stops the process");
        assertStatus(ErrorKind.UNKNOWN, "cannot pause a paused container",
                () -> service.pause(PauseRequest.newBuilder().setId("c1").build()));
        assertStatus(ErrorKind.UNKNOWN, "cannot delete a paused process",
                () -> service.delete(DeleteRequest.newBuilder().setId("c1").build()));
        service.resume(ResumeRequest.newBuilder().setId("c1").build());
        assertEquals(Status.RUNNING, state("c1").getStatus());
        service.pause(PauseRequest.newBuilder().setId("c1").build());
        // Killed while paused: the exit is still reported, and the container is thawed for the rest.
        service.kill(KillRequest.newBuilder().setId("c1").setSignal(9).build());
        assertEquals(137, waitFor("c1").getExitStatus());
        assertEquals(Status.STOPPED, state("c1").getStatus());
        assertStatus(ErrorKind.UNKNOWN, "cannot pause a stopped container",
                () -> service.pause(PauseRequest.newBuilder().setId("c1").build()));
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/paused", "/tasks/resumed", "/tasks/paused",
                "/tasks/exit"), events.topics());
        assertTrue(runc.subcommands().containsAll(List.of("pause c1", "resume c1")));
    }

    /** The state letter once it is {@code expected} (a stop signal takes effect when the process runs next), or the last one read. */
    private static String awaitProcState(int pid, String expected) throws IOException, InterruptedException {
        String seen = procState(pid);
        for (int i = 0; i < 200 && !seen.equals(expected); i++) {
            Thread.sleep(10);
            seen = procState(pid);
        }
        return seen;
    }

    private static String procState(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    private static CompletableFuture<byte[]> readAll(Path fifo) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
    }
}
