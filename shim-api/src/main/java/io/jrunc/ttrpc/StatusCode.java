package io.jrunc.ttrpc;

/** Status codes carried in a ttrpc {@code google.rpc.Status}; gRPC numbering, as containerd maps them. */
public enum StatusCode {
    OK(0),
    CANCELLED(1),
    UNKNOWN(2),
    INVALID_ARGUMENT(3),
    DEADLINE_EXCEEDED(4),
    NOT_FOUND(5),
    ALREADY_EXISTS(6),
    PERMISSION_DENIED(7),
    RESOURCE_EXHAUSTED(8),
    FAILED_PRECONDITION(9),
    ABORTED(10),
    OUT_OF_RANGE(11),
    UNIMPLEMENTED(12),
    INTERNAL(13),
    UNAVAILABLE(14),
    DATA_LOSS(15),
    UNAUTHENTICATED(16);

    private final int value;

    StatusCode(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    public static StatusCode of(int value) {
        for (StatusCode c : values()) {
            if (c.value == value) {
                return c;
            }
        }
        return UNKNOWN;
    }
}
