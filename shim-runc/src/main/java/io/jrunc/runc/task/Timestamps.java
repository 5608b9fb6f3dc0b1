package io.jrunc.runc.task;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Optional;

/** Timestamps as the Go shim writes them. */
public final class Timestamps {

    /**
     * Go's zero time (0001-01-01T00:00:00Z): what the Go shim sends for "not exited". containerd 2.x would
     * read an absent field as 1970, so "not exited" is always sent explicitly as this value.
     */
    public static final Timestamp GO_ZERO = Timestamp.newBuilder().setSeconds(-62135596800L).build();

    private Timestamps() {}

    public static Timestamp of(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Timestamp ofOptional(Optional<Instant> instant) {
        return instant.map(Timestamps::of).orElse(GO_ZERO);
    }
}
