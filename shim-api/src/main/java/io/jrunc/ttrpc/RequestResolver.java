package io.jrunc.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.jrunc.proto.ttrpc.KeyValue;
import io.jrunc.proto.ttrpc.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns a decoded ttrpc {@link Request} into the method to run and its typed argument, or a status. */
final class RequestResolver {

    /** What the handler will be called with. */
    record Resolved(ServiceRegistry.Method<?, ?> method, Message request, RequestContext context) {}

    private final ServiceRegistry registry;

    RequestResolver(ServiceRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param deadlineNanos {@link System#nanoTime()} deadline, or 0 for none
     * @throws TtrpcException UNIMPLEMENTED for an unknown service or method, INVALID_ARGUMENT for an
     *     undecodable payload
     */
    Resolved resolve(Request request, long deadlineNanos) {
        String service = request.getService();
        String method = request.getMethod();
        ServiceRegistry.Method<?, ?> target = registry.lookup(service, method).orElseThrow(() -> unknown(service, method));
        Message argument;
        try {
            argument = target.requestParser().parseFrom(request.getPayload());
        } catch (InvalidProtocolBufferException e) {
            throw new TtrpcException(StatusCode.INVALID_ARGUMENT, "unmarshal request error: " + service + "/" + method
                    + ": " + e.getMessage(), e);
        }
        return new Resolved(target, argument, new RequestContext(service, method, metadata(request), deadlineNanos));
    }

    /** Same leading words as the Go server ("service X" / "method Y"), then what does exist. */
    private TtrpcException unknown(String service, String method) {
        if (!registry.hasService(service)) {
            return new TtrpcException(StatusCode.UNIMPLEMENTED, "service " + service
                    + " (this server has: " + String.join(", ", registry.services()) + ")");
        }
        return new TtrpcException(StatusCode.UNIMPLEMENTED, "method " + method + " (service " + service
                + " has: " + String.join(", ", registry.methods(service)) + ")");
    }

    /** Keys are case-insensitive on the wire; a key may repeat, values keep their order. */
    private static Map<String, List<String>> metadata(Request request) {
        if (request.getMetadataCount() == 0) {
            return Map.of();
        }
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (KeyValue kv : request.getMetadataList()) {
            grouped.computeIfAbsent(kv.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(kv.getValue());
        }
        grouped.replaceAll((k, values) -> List.copyOf(values));
        return grouped;
    }
}
