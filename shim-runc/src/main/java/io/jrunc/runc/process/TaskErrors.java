package io.jrunc.runc.process;

import io.jrunc.ttrpc.StatusCode;
import io.jrunc.ttrpc.TtrpcException;

/**
 * The error replies of the Go runc shim, word for word. Go appends the errdefs class (": not found") to
 * the message when it maps a classified error to a status code; containerd matches on the code.
 */
public final class TaskErrors {
    private TaskErrors() {}

    public static TtrpcException containerNotCreated() {
        return TtrpcException.notFound("container not created: not found");
    }

    public static TtrpcException processDoesNotExist(String execId) {
        return TtrpcException.notFound("process does not exist " + execId + ": not found");
    }

    public static TtrpcException processAlreadyFinished() {
        return TtrpcException.notFound("process already finished: not found");
    }

    public static TtrpcException noSuchContainer() {
        return TtrpcException.notFound("no such container: not found");
    }

    public static TtrpcException deletedProcess(String action) {
        return TtrpcException.notFound("cannot " + action + " a deleted process: not found");
    }

    /** A wrong state transition or a runc failure: Go sends these unclassified, which gRPC maps to Unknown. */
    public static TtrpcException unknown(String message) {
        return new TtrpcException(StatusCode.UNKNOWN, message);
    }
}
