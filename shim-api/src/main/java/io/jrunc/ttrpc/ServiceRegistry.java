package io.jrunc.ttrpc;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The methods a ttrpc server answers, keyed by full service name and bare method name. Immutable once built. */
public final class ServiceRegistry {

    /** One registered method: how to decode its request and who serves it. */
    public record Method<Req extends Message, Resp extends Message>(
            String service, String name, Parser<Req> requestParser, UnaryHandler<Req, Resp> handler) {}

    private final Map<String, Map<String, Method<?, ?>>> services;

    private ServiceRegistry(Map<String, Map<String, Method<?, ?>>> services) {
        Map<String, Map<String, Method<?, ?>>> copy = new HashMap<>();
        services.forEach((service, methods) -> copy.put(service, Map.copyOf(methods)));
        this.services = Map.copyOf(copy);
    }

    public boolean hasService(String service) {
        return services.containsKey(service);
    }

    public Optional<Method<?, ?>> lookup(String service, String method) {
        Map<String, Method<?, ?>> methods = services.get(service);
        return methods == null ? Optional.empty() : Optional.ofNullable(methods.get(method));
    }

    /** Registered service names, sorted (for error messages that say what exists). */
    public Set<String> services() {
        return new TreeSet<>(services.keySet());
    }

    /** Method names of {@code service}, sorted; empty if the service is unknown. */
    public Set<String> methods(String service) {
        Map<String, Method<?, ?>> methods = services.get(service);
        return methods == null ? Set.of() : new TreeSet<>(methods.keySet());
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final Map<String, Map<String, Method<?, ?>>> services = new HashMap<>();

        public <Req extends Message, Resp extends Message> Builder unary(
                String service, String method, Parser<Req> requestParser, UnaryHandler<Req, Resp> handler) {
            Method<?, ?> previous = services.computeIfAbsent(service, s -> new HashMap<>())
                    .putIfAbsent(method, new Method<>(service, method, requestParser, handler));
            if (previous != null) {
                throw new IllegalStateException("method registered twice: " + service + "/" + method);
            }
            return this;
        }

        public ServiceRegistry build() {
            return new ServiceRegistry(services);
        }
    }
}
