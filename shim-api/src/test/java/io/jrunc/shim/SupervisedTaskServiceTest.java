package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.CreateTaskResponse;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.PidsRequest;
import io.jrunc.proto.task.v2.PidsResponse;
import io.jrunc.proto.task.v2.ShutdownRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.task.v2.StartResponse;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.task.v2.WaitRequest;
import io.jrunc.proto.task.v2.WaitResponse;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import io.jrunc.shim.task.TaskService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisedTaskServiceTest {
    private static final Timestamp EXITED = Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(5).build();

    @TempDir
    Path bundle;
    private final List<String> calls = new ArrayList<>();
    private final CompletableFuture<String> exit = new CompletableFuture<>();
    private final DaemonExit daemonExit = new DaemonExit(exit, Duration.ZERO, Duration.ZERO, new DaemonExit.Presence() {
        @Override
        public void serving() {}

        @Override
        public void retiring() {}
    });
    private final ContainerLogs logs = new ContainerLogs(fifo -> Optional.empty(), "c1", Path.of("/nowhere"));
    private boolean failDelete;

    /** A runtime service that records calls; Delete answers pid 42, status 3. */
    private final TaskService runtime = new TaskService() {
        @Override
        public CreateTaskResponse create(CreateTaskRequest r) {
            calls.add("create " + r.getId());
            return CreateTaskResponse.newBuilder().setPid(42).build();
        }

        @Override
        public DeleteResponse delete(DeleteRequest r) {
            calls.add("delete " + r.getId() + "/" + r.getExecId());
            if (failDelete) {
                throw ShimException.unknown("runc delete failed");
            }
            return DeleteResponse.newBuilder().setPid(42).setExitStatus(3).setExitedAt(EXITED).build();
        }

        @Override
        public StateResponse state(StateRequest r) {
            return StateResponse.getDefaultInstance();
        }

        @Override
        public StartResponse start(StartRequest r) {
            return StartResponse.getDefaultInstance();
        }

        @Override
        public PidsResponse pids(PidsRequest r) {
            return PidsResponse.getDefaultInstance();
        }

        @Override
        public Empty kill(KillRequest r) {
            calls.add("kill " + r.getId());
            return Empty.getDefaultInstance();
        }

        @Override
        public WaitResponse waitFor(WaitRequest r) {
            return WaitResponse.getDefaultInstance();
        }

        @Override
        public ConnectResponse connect(ConnectRequest r) {
            return ConnectResponse.getDefaultInstance();
        }

        @Override
        public Empty shutdown(ShutdownRequest r) {
            calls.add("shutdown");
            daemonExit.requestExit();
            return Empty.getDefaultInstance();
        }
    };
    private final SupervisedTaskService tasks = new SupervisedTaskService(runtime, daemonExit, java.util.List.of(logs), java.util.List.of());

    private CreateTaskRequest create(String id) {
        return CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build();
    }

    @Test
    void aSuccessfulDeleteLeavesTheMarkerTheLauncherReads() throws Exception {
        tasks.create(create("c1"));
        DeleteResponse deleted = tasks.delete(DeleteRequest.newBuilder().setId("c1").build());

        assertEquals(42, deleted.getPid());
        assertEquals("42 3 1700000000 5\n", Files.readString(bundle.resolve(DeletedMarker.NAME)));
        assertEquals(Optional.of(new DeletedMarker(42, 3, 1_700_000_000L, 5)), DeletedMarker.read(bundle));
        assertEquals(List.of("create c1", "delete c1/"), calls);
    }

    @Test
    void noMarkerWhenTheDeleteFailsOrIsAnExecs() throws Exception {
        tasks.create(create("c1"));
        tasks.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build());
        assertFalse(Files.exists(bundle.resolve(DeletedMarker.NAME)), "an exec's delete leaves the container");
        failDelete = true;
        assertThrows(ShimException.class, () -> tasks.delete(DeleteRequest.newBuilder().setId("c1").build()));
        assertFalse(Files.exists(bundle.resolve(DeletedMarker.NAME)), "the delete action must clean up");
        failDelete = false;
        tasks.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertTrue(Files.exists(bundle.resolve(DeletedMarker.NAME)), "the retry succeeded");
    }

    @Test
    void aHostThatLacksARequirementRefusesCreateWithWhatIsMissing() {
        SupervisedTaskService onABadHost = new SupervisedTaskService(runtime, daemonExit, List.of(logs),
                List.of(io.jrunc.shim.host.HostRequirement.missing("splice(2)", "EINVAL")));
        io.jrunc.shim.errors.ShimException e = assertThrows(io.jrunc.shim.errors.ShimException.class,
                () -> onABadHost.create(create("c1")));
        assertEquals(io.jrunc.shim.errors.ErrorKind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().startsWith("this host lacks what jrunc needs: splice(2): EINVAL"), e.getMessage());
        assertEquals(List.of(), calls, "the runtime never saw the Create");
    }

    @Test
    void createDropsAStaleMarker() throws Exception {
        Files.writeString(bundle.resolve(DeletedMarker.NAME), "1 0 1 1\n");
        tasks.create(create("c1"));
        assertFalse(Files.exists(bundle.resolve(DeletedMarker.NAME)));
    }

    @Test
    void aDaemonThatIsExitingRefusesCreate() throws Exception {
        tasks.shutdown(ShutdownRequest.getDefaultInstance());
        assertTrue(exit.isDone());
        ShimException e = assertThrows(ShimException.class, () -> tasks.create(create("late")));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertEquals(List.of("shutdown"), calls, "the runtime never saw the Create");
    }

    @Test
    void otherCallsPassThrough() throws Exception {
        tasks.kill(KillRequest.newBuilder().setId("x").build());
        assertEquals(List.of("kill x"), calls);
    }
}
