package io.jrunc.runc.process;

import io.jrunc.shim.errors.ShimException;

/**
 * The error replies of the Go runc shim, word for word. Go appends the errdefs class (": not found") to
 * the message when it maps a classified error to a status code; containerd matches on the code.
 */
public final class TaskErrors {
    private TaskErrors() {}

    public static ShimException containerNotCreated() {
        return ShimException.notFound("container not created: not found");
    }

    public static ShimException processDoesNotExist(String execId) {
        return ShimException.notFound("process does not exist " + execId + ": not found");
    }

    public static ShimException processAlreadyFinished() {
        return ShimException.notFound("process already finished: not found");
    }

    public static ShimException noSuchContainer() {
        return ShimException.notFound("no such container: not found");
    }

    public static ShimException deletedProcess(String action) {
        return ShimException.notFound("cannot " + action + " a deleted process: not found");
    }

    /** A wrong state transition or a runc failure: Go sends these unclassified, which gRPC maps to Unknown. */
    public static ShimException unknown(String message) {
        return ShimException.unknown(message);
    }
}
