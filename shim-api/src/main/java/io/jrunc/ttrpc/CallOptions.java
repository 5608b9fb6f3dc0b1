package io.jrunc.ttrpc;

import io.jrunc.proto.ttrpc.KeyValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Per-call settings of a {@link TtrpcClient} call.
 *
 * @param metadata sent in order; a key may repeat (ttrpc keys are lower-case by convention)
 * @param timeout zero for none; otherwise the call fails with DEADLINE_EXCEEDED when it passes and
 *     the server is told the same deadline ({@code timeout_nano})
 */
public record CallOptions(List<KeyValue> metadata, Duration timeout) {

    private static final CallOptions NONE = new CallOptions(List.of(), Duration.ZERO);

    public CallOptions {
        metadata = List.copyOf(metadata);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + timeout);
        }
    }

    public static CallOptions none() {
        return NONE;
    }

    public CallOptions withTimeout(Duration timeout) {
        return new CallOptions(metadata, timeout);
    }

    public CallOptions withMetadata(String key, String value) {
        List<KeyValue> more = new ArrayList<>(metadata);
        more.add(KeyValue.newBuilder().setKey(key).setValue(value).build());
        return new CallOptions(more, timeout);
    }

    public boolean hasTimeout() {
        return !timeout.isZero();
    }
}
