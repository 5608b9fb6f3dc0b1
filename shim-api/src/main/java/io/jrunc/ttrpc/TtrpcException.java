package io.jrunc.ttrpc;

/**
 * A failed call in ttrpc's own terms: handlers throw it to answer with a status code, and the
 * client throws it when the peer answered with a non-OK status.
 */
public class TtrpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final StatusCode code;

    public TtrpcException(StatusCode code, String message) {
        super(message);
        this.code = code;
    }

    public TtrpcException(StatusCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public StatusCode code() {
        return code;
    }

    public static TtrpcException notFound(String message) {
        return new TtrpcException(StatusCode.NOT_FOUND, message);
    }

    public static TtrpcException failedPrecondition(String message) {
        return new TtrpcException(StatusCode.FAILED_PRECONDITION, message);
    }

    public static TtrpcException alreadyExists(String message) {
        return new TtrpcException(StatusCode.ALREADY_EXISTS, message);
    }

    public static TtrpcException invalidArgument(String message) {
        return new TtrpcException(StatusCode.INVALID_ARGUMENT, message);
    }

    public static TtrpcException unknown(String message) {
        return new TtrpcException(StatusCode.UNKNOWN, message);
    }

    @Override
    public String toString() {
        return "ttrpc " + code + ": " + getMessage();
    }
}
