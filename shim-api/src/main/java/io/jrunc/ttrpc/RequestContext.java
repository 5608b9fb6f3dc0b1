package io.jrunc.ttrpc;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a handler may know about the call it serves.
 *
 * @param metadata lower-case keys; a key may repeat, so each maps to all its values in order
 * @param deadlineNanos {@link System#nanoTime()} by which the caller stops waiting, or 0 for none
 */
public record RequestContext(String service, String method, Map<String, List<String>> metadata, long deadlineNanos) {

    public RequestContext {
        metadata = Map.copyOf(metadata);
    }

    public Optional<String> firstMetadata(String key) {
        List<String> values = metadata.get(key);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    public boolean hasDeadline() {
        return deadlineNanos != 0;
    }
}
