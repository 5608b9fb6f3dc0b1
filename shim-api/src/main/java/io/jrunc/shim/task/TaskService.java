package io.jrunc.shim.task;

import com.google.protobuf.Empty;
import io.jrunc.proto.task.v2.CheckpointTaskRequest;
import io.jrunc.proto.task.v2.CloseIORequest;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.CreateTaskResponse;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.ExecProcessRequest;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.PauseRequest;
import io.jrunc.proto.task.v2.PidsRequest;
import io.jrunc.proto.task.v2.PidsResponse;
import io.jrunc.proto.task.v2.ResizePtyRequest;
import io.jrunc.proto.task.v2.ResumeRequest;
import io.jrunc.proto.task.v2.ShutdownRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.task.v2.StartResponse;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.task.v2.StatsRequest;
import io.jrunc.proto.task.v2.StatsResponse;
import io.jrunc.proto.task.v2.UpdateTaskRequest;
import io.jrunc.proto.task.v2.WaitRequest;
import io.jrunc.proto.task.v2.WaitResponse;

/**
 * containerd's shim Task API (containerd.task.v2.Task), runtime-agnostic. Methods may block, except
 * {@link #state} and {@link #connect}: containerd and monitoring agents call them most, so they run on the
 * ttrpc event loop without a thread hand-off and must answer from memory. Methods fail by throwing
 * {@link io.jrunc.shim.errors.ShimException} of the kind containerd expects ({@link TaskServiceBinding}
 * maps it to the wire status).
 * Methods a runtime does not support keep the default, which answers UNIMPLEMENTED.
 */
public interface TaskService {

    /** Must not block (no I/O, no waiting): it runs on the event loop. */
    StateResponse state(StateRequest request) throws Exception;

    CreateTaskResponse create(CreateTaskRequest request) throws Exception;

    StartResponse start(StartRequest request) throws Exception;

    DeleteResponse delete(DeleteRequest request) throws Exception;

    PidsResponse pids(PidsRequest request) throws Exception;

    Empty kill(KillRequest request) throws Exception;

    WaitResponse waitFor(WaitRequest request) throws Exception;

    /** Must not block (no I/O, no waiting): it runs on the event loop. */
    ConnectResponse connect(ConnectRequest request) throws Exception;

    Empty shutdown(ShutdownRequest request) throws Exception;

    default Empty pause(PauseRequest request) throws Exception {
        throw Unimplemented.method("Pause");
    }

    default Empty resume(ResumeRequest request) throws Exception {
        throw Unimplemented.method("Resume");
    }

    default Empty checkpoint(CheckpointTaskRequest request) throws Exception {
        throw Unimplemented.method("Checkpoint");
    }

    default Empty exec(ExecProcessRequest request) throws Exception {
        throw Unimplemented.method("Exec");
    }

    default Empty resizePty(ResizePtyRequest request) throws Exception {
        throw Unimplemented.method("ResizePty");
    }

    default Empty closeIO(CloseIORequest request) throws Exception {
        throw Unimplemented.method("CloseIO");
    }

    default Empty update(UpdateTaskRequest request) throws Exception {
        throw Unimplemented.method("Update");
    }

    default StatsResponse stats(StatsRequest request) throws Exception {
        throw Unimplemented.method("Stats");
    }
}
