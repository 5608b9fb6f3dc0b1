package io.jrunc.runc.process;

import io.jrunc.proto.types.task.Status;

/** Where a process is in its life, as the shim itself tracks it (never asked from runc). */
public enum ProcessStatus {
    CREATED(Status.CREATED),
    RUNNING(Status.RUNNING),
    PAUSED(Status.PAUSED),
    STOPPED(Status.STOPPED),
    /** Deleted processes still report "stopped", as in the Go shim. */
    DELETED(Status.STOPPED);

    private final Status wire;

    ProcessStatus(Status wire) {
        this.wire = wire;
    }

    public Status toProto() {
        return wire;
    }

    /** The word the Go shim uses in its error texts ("cannot start a running process"). */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
