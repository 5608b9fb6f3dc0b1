package io.jrunc.runc.process;

import io.jrunc.proto.types.task.Status;
import io.jrunc.runc.io.ProcessIo;
import io.jrunc.runc.io.StdioSpec;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What State, Wait, CloseIO (and ResizePty) need of a container's init or of one of its exec processes. */
public interface ContainerProcess {

    /** The container id for the init, the exec id for an exec. */
    String id();

    /** 0 while the process has not been started by runc (an exec before Start, a restore before Start). */
    int pid();

    StdioSpec stdio();

    /** The process's own status ("pausing" while a pause is in progress for the init). */
    Status reportedStatus();

    ExitState exitState();

    /** Completes when the process exited, failed to start, or was deleted without an exit seen. */
    CompletableFuture<ExitState> exited();

    /** CloseIO: drop the shim's writer on the stdin FIFO. */
    void closeStdin();

    /** The process's stdio on the shim's side, once it exists (an exec gets it at Start). */
    Optional<ProcessIo> io();
}
