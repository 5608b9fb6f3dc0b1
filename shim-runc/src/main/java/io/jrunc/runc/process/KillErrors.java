package io.jrunc.runc.process;

import io.jrunc.shim.errors.ShimException;
import java.util.Locale;

/** How the Go shim reads a failed {@code runc kill}: gone processes are NOT_FOUND, which containerd treats as done. */
final class KillErrors {
    private KillErrors() {}

    static ShimException translate(String runcError) {
        if (runcError.contains("os: process already finished")
                || runcError.contains("container not running")
                || runcError.toLowerCase(Locale.ROOT).contains("no such process")) {
            return TaskErrors.processAlreadyFinished();
        }
        if (runcError.contains("does not exist")) {
            return TaskErrors.noSuchContainer();
        }
        return TaskErrors.unknown("unknown error after kill: " + runcError);
    }
}
