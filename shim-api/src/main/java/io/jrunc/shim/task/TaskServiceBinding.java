package io.jrunc.shim.task;

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
import io.jrunc.ttrpc.ServiceRegistry;
import java.util.List;

/** Registers a {@link TaskService} under the names containerd calls it by. */
public final class TaskServiceBinding {

    /** v2 is what containerd 1.6/1.7 call; 2.x uses v3 (same messages) for shims that announce it. */
    public static final List<String> SERVICE_NAMES = List.of("containerd.task.v2.Task", "containerd.task.v3.Task");

    private TaskServiceBinding() {}

    public static ServiceRegistry.Builder bind(ServiceRegistry.Builder registry, TaskService tasks) {
        for (String service : SERVICE_NAMES) {
            registry.nonBlocking(service, "State", StateRequest.parser(), (ctx, r) -> tasks.state(r))
                    .nonBlocking(service, "Connect", ConnectRequest.parser(), (ctx, r) -> tasks.connect(r))
                    .unary(service, "Create", CreateTaskRequest.parser(), (ctx, r) -> tasks.create(r))
                    .unary(service, "Start", StartRequest.parser(), (ctx, r) -> tasks.start(r))
                    .unary(service, "Delete", DeleteRequest.parser(), (ctx, r) -> tasks.delete(r))
                    .unary(service, "Pids", PidsRequest.parser(), (ctx, r) -> tasks.pids(r))
                    .unary(service, "Pause", PauseRequest.parser(), (ctx, r) -> tasks.pause(r))
                    .unary(service, "Resume", ResumeRequest.parser(), (ctx, r) -> tasks.resume(r))
                    .unary(service, "Checkpoint", CheckpointTaskRequest.parser(), (ctx, r) -> tasks.checkpoint(r))
                    .unary(service, "Kill", KillRequest.parser(), (ctx, r) -> tasks.kill(r))
                    .unary(service, "Exec", ExecProcessRequest.parser(), (ctx, r) -> tasks.exec(r))
                    .unary(service, "ResizePty", ResizePtyRequest.parser(), (ctx, r) -> tasks.resizePty(r))
                    .unary(service, "CloseIO", CloseIORequest.parser(), (ctx, r) -> tasks.closeIO(r))
                    .unary(service, "Update", UpdateTaskRequest.parser(), (ctx, r) -> tasks.update(r))
                    .unary(service, "Wait", WaitRequest.parser(), (ctx, r) -> tasks.waitFor(r))
                    .unary(service, "Stats", StatsRequest.parser(), (ctx, r) -> tasks.stats(r))
                    .unary(service, "Shutdown", ShutdownRequest.parser(), (ctx, r) -> tasks.shutdown(r));
        }
        return registry;
    }
}
