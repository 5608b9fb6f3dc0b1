package io.jrunc.shim.task;

import com.google.protobuf.Message;
import io.jrunc.proto.task.v2.CheckpointTaskRequest;
import io.jrunc.proto.task.v2.CloseIORequest;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.ExecProcessRequest;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.PauseRequest;
import io.jrunc.proto.task.v2.PidsRequest;
import io.jrunc.proto.task.v2.ResizePtyRequest;
import io.jrunc.proto.task.v2.ResumeRequest;
import io.jrunc.proto.task.v2.ShutdownRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StatsRequest;
import io.jrunc.proto.task.v2.UpdateTaskRequest;
import io.jrunc.proto.task.v2.WaitRequest;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import io.jrunc.ttrpc.ServiceRegistry;
import io.jrunc.ttrpc.StatusCode;
import io.jrunc.ttrpc.TtrpcException;
import io.jrunc.ttrpc.UnaryHandler;
import java.util.List;

/**
 * Registers a {@link TaskService} under the names containerd calls it by. This is the one place where the
 * service's {@link ShimException}s become ttrpc statuses; any other exception is left to the server, which
 * answers UNKNOWN with its message.
 */
public final class TaskServiceBinding {

    /** v2 is what containerd 1.6/1.7 call; 2.x uses v3 (same messages) for shims that announce it. */
    public static final List<String> SERVICE_NAMES = List.of("containerd.task.v2.Task", "containerd.task.v3.Task");

    private TaskServiceBinding() {}

    public static ServiceRegistry.Builder bind(ServiceRegistry.Builder registry, TaskService tasks) {
        for (String service : SERVICE_NAMES) {
            registry.nonBlocking(service, "State", StateRequest.parser(), wire(tasks::state))
                    .nonBlocking(service, "Connect", ConnectRequest.parser(), wire(tasks::connect))
                    .unary(service, "Create", CreateTaskRequest.parser(), wire(tasks::create))
                    .unary(service, "Start", StartRequest.parser(), wire(tasks::start))
                    .unary(service, "Delete", DeleteRequest.parser(), wire(tasks::delete))
                    .unary(service, "Pids", PidsRequest.parser(), wire(tasks::pids))
                    .unary(service, "Pause", PauseRequest.parser(), wire(tasks::pause))
                    .unary(service, "Resume", ResumeRequest.parser(), wire(tasks::resume))
                    .unary(service, "Checkpoint", CheckpointTaskRequest.parser(), wire(tasks::checkpoint))
                    .unary(service, "Kill", KillRequest.parser(), wire(tasks::kill))
                    .unary(service, "Exec", ExecProcessRequest.parser(), wire(tasks::exec))
                    .unary(service, "ResizePty", ResizePtyRequest.parser(), wire(tasks::resizePty))
                    .unary(service, "CloseIO", CloseIORequest.parser(), wire(tasks::closeIO))
                    .unary(service, "Update", UpdateTaskRequest.parser(), wire(tasks::update))
                    .unary(service, "Wait", WaitRequest.parser(), wire(tasks::waitFor))
                    .unary(service, "Stats", StatsRequest.parser(), wire(tasks::stats))
                    .unary(service, "Shutdown", ShutdownRequest.parser(), wire(tasks::shutdown));
        }
        return registry;
    }

    /** The status containerd expects for each kind, as Go's errdefs maps them to gRPC codes. */
    static StatusCode statusOf(ErrorKind kind) {
        return switch (kind) {
            case UNKNOWN -> StatusCode.UNKNOWN;
            case INVALID_ARGUMENT -> StatusCode.INVALID_ARGUMENT;
            case NOT_FOUND -> StatusCode.NOT_FOUND;
            case ALREADY_EXISTS -> StatusCode.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> StatusCode.FAILED_PRECONDITION;
            case UNAVAILABLE -> StatusCode.UNAVAILABLE;
            case NOT_IMPLEMENTED -> StatusCode.UNIMPLEMENTED;
        };
    }

    /** Same message; the domain error stays the cause, so its stack trace (and its own cause) is not lost. */
    static TtrpcException toWire(ShimException e) {
        return new TtrpcException(statusOf(e.kind()), e.getMessage(), e);
    }

    /** One Task method as a ttrpc handler. */
    @FunctionalInterface
    interface TaskMethod<Req extends Message, Resp extends Message> {
        Resp call(Req request) throws Exception;
    }

    static <Req extends Message, Resp extends Message> UnaryHandler<Req, Resp> wire(TaskMethod<Req, Resp> method) {
        return (ctx, request) -> {
            try {
                return method.call(request);
            } catch (ShimException e) {
                throw toWire(e);
            }
        };
    }
}
