package io.jrunc.shim.errors;

/**
 * The classes of failure containerd tells apart (its errdefs). Only the kinds the shim produces are here;
 * the edge that speaks to containerd maps each to one wire status.
 */
public enum ErrorKind {
    /** Unclassified: Go sends such errors as they are, which gRPC reports as Unknown. */
    UNKNOWN,
    INVALID_ARGUMENT,
    NOT_FOUND,
    ALREADY_EXISTS,
    FAILED_PRECONDITION,
    /** Try again later (e.g. the daemon is exiting). */
    UNAVAILABLE,
    NOT_IMPLEMENTED
}
