package io.jrunc.shim.errors;

import java.util.Objects;

/**
 * A failure of a shim operation, classified by {@link ErrorKind}. The shim's layers throw it and know nothing
 * of the transport; the edge that serves containerd turns the kind into a status and keeps the message as is
 * (containerd and its clients match on both).
 */
public final class ShimException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;

    public ShimException(ErrorKind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public ShimException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public ErrorKind kind() {
        return kind;
    }

    public static ShimException unknown(String message) {
        return new ShimException(ErrorKind.UNKNOWN, message);
    }

    public static ShimException invalidArgument(String message) {
        return new ShimException(ErrorKind.INVALID_ARGUMENT, message);
    }

    public static ShimException notFound(String message) {
        return new ShimException(ErrorKind.NOT_FOUND, message);
    }

    public static ShimException alreadyExists(String message) {
        return new ShimException(ErrorKind.ALREADY_EXISTS, message);
    }

    public static ShimException failedPrecondition(String message) {
        return new ShimException(ErrorKind.FAILED_PRECONDITION, message);
    }

    public static ShimException unavailable(String message) {
        return new ShimException(ErrorKind.UNAVAILABLE, message);
    }

    public static ShimException notImplemented(String message) {
        return new ShimException(ErrorKind.NOT_IMPLEMENTED, message);
    }

    @Override
    public String toString() {
        return kind + ": " + getMessage();
    }
}
