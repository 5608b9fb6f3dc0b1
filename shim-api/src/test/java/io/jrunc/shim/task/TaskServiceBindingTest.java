package io.jrunc.shim.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Empty;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.CreateTaskResponse;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.PauseRequest;
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
import io.jrunc.ttrpc.ServiceRegistry;
import io.jrunc.ttrpc.StatusCode;
import io.jrunc.ttrpc.TtrpcClient;
import io.jrunc.ttrpc.TtrpcException;
import io.jrunc.ttrpc.TtrpcServer;
import io.jrunc.ttrpc.UnaryHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The one mapping from the service's domain errors to what containerd reads on the wire. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TaskServiceBindingTest {

    /** Every kind, with the status containerd has always been answered with for it. */
    private static final Map<ErrorKind, StatusCode> EXPECTED = Map.of(
            ErrorKind.UNKNOWN, StatusCode.UNKNOWN,
            ErrorKind.INVALID_ARGUMENT, StatusCode.INVALID_ARGUMENT,
            ErrorKind.NOT_FOUND, StatusCode.NOT_FOUND,
            ErrorKind.ALREADY_EXISTS, StatusCode.ALREADY_EXISTS,
            ErrorKind.FAILED_PRECONDITION, StatusCode.FAILED_PRECONDITION,
            ErrorKind.UNAVAILABLE, StatusCode.UNAVAILABLE,
            ErrorKind.NOT_IMPLEMENTED, StatusCode.UNIMPLEMENTED);

    @TempDir
    Path dir;

    /** A service whose State fails with whatever the test puts in {@code failure}. */
    private static final class FailingTasks implements TaskService {
        volatile Exception failure;

        @Override
        public StateResponse state(StateRequest request) throws Exception {
            throw failure;
        }

        @Override
        public CreateTaskResponse create(CreateTaskRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public StartResponse start(StartRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DeleteResponse delete(DeleteRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PidsResponse pids(PidsRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Empty kill(KillRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public WaitResponse waitFor(WaitRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ConnectResponse connect(ConnectRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Empty shutdown(ShutdownRequest request) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void everyKindHasTheStatusContainerdExpects() {
        assertEquals(ErrorKind.values().length, EXPECTED.size(), "a new kind needs its expected status here");
        EXPECTED.forEach((kind, code) -> assertEquals(code, TaskServiceBinding.statusOf(kind), kind.name()));
    }

    @ParameterizedTest
    @EnumSource(ErrorKind.class)
    void theBoundHandlerAnswersTheKindsStatusWithTheSameMessageAndKeepsTheCause(ErrorKind kind) throws Exception {
        FailingTasks tasks = new FailingTasks();
        IOException root = new IOException("root cause");
        ShimException error = new ShimException(kind, "container c1: " + kind, root);
        tasks.failure = error;
        for (String service : TaskServiceBinding.SERVICE_NAMES) {
            TtrpcException wire = assertThrows(TtrpcException.class, () -> callState(tasks, service));
            assertEquals(EXPECTED.get(kind), wire.code());
            assertEquals("container c1: " + kind, wire.getMessage());
            assertSame(error, wire.getCause());
            assertSame(root, wire.getCause().getCause());
        }
    }

    @Test
    void otherExceptionsAreLeftToTheServerUnchanged() {
        FailingTasks tasks = new FailingTasks();
        IllegalStateException unexpected = new IllegalStateException("boom");
        tasks.failure = unexpected;
        assertSame(unexpected, assertThrows(IllegalStateException.class,
                () -> callState(tasks, TaskServiceBinding.SERVICE_NAMES.get(0))));
    }

    @Test
    void overTheWireContainerdSeesTheStatusAndMessage() throws Exception {
        FailingTasks tasks = new FailingTasks();
        Path socket = dir.resolve("s.sock");
        TtrpcServer server = TtrpcServer.bind(socket, TaskServiceBinding.bind(ServiceRegistry.builder(), tasks).build());
        try (TtrpcClient client = TtrpcClient.connect(socket)) {
            String task = TaskServiceBinding.SERVICE_NAMES.get(0);
            StateRequest state = StateRequest.newBuilder().setId("c1").build();

            tasks.failure = ShimException.notFound("container not created: not found");
            TtrpcException notFound = assertThrows(TtrpcException.class,
                    () -> client.call(task, "State", state, StateResponse.parser()));
            assertEquals(StatusCode.NOT_FOUND, notFound.code());
            assertEquals("container not created: not found", notFound.getMessage());

            // Not a domain error: the server's own answer, as before (UNKNOWN with the message).
            tasks.failure = new IllegalStateException("boom");
            TtrpcException unknown = assertThrows(TtrpcException.class,
                    () -> client.call(task, "State", state, StateResponse.parser()));
            assertEquals(StatusCode.UNKNOWN, unknown.code());
            assertEquals("boom", unknown.getMessage());

            TtrpcException unimplemented = assertThrows(TtrpcException.class,
                    () -> client.call(task, "Pause", PauseRequest.newBuilder().setId("c1").build(), Empty.parser()));
            assertEquals(StatusCode.UNIMPLEMENTED, unimplemented.code());
            assertEquals("Pause is not implemented by this shim yet", unimplemented.getMessage());
        } finally {
            server.close(Duration.ofMillis(100));
        }
    }

    @SuppressWarnings("unchecked")
    private static StateResponse callState(TaskService tasks, String service) throws Exception {
        ServiceRegistry registry = TaskServiceBinding.bind(ServiceRegistry.builder(), tasks).build();
        var handler = (UnaryHandler<StateRequest, StateResponse>) registry.lookup(service, "State").orElseThrow().handler();
        return handler.handle(null, StateRequest.newBuilder().setId("c1").build());
    }
}
