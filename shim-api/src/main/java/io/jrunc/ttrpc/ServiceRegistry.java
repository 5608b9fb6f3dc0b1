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

    /** Where a method's handler runs. */
    public enum Dispatch {
        /** On a worker (virtual) thread: the handler may block (spawn processes, wait, take slow locks). */
        WORKER,
        /**
         * On the connection's event loop, with no thread hand-off: for handlers that answer from memory
         * and never block (no I/O, no waiting, only short critical sections). A blocking handler here
         * would stall every connection of that loop.
         */
        EVENT_LOOP
    }

    /** One registered method: how to decode its request, who serves it and on which thread. */
    public record Method<Req extends Message, Resp extends Message>(
            String service, String name, Parser<Req> requestParser, UnaryHandler<Req, Resp> handler, Dispatch dispatch) {}

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

        /** A method whose handler may block: it runs on a worker thread. */
        public <Req extends Message, Resp extends Message> Builder unary(
                String service, String method, Parser<Req> requestParser, UnaryHandler<Req, Resp> handler) {
            return add(new Method<>(service, method, requestParser, handler, Dispatch.WORKER));
        }

        /** A method whose handler never blocks: it runs on the event loop (see {@link Dispatch#EVENT_LOOP}). */
        public <Req extends Message, Resp extends Message> Builder nonBlocking(
                String service, String method, Parser<Req> requestParser, UnaryHandler<Req, Resp> handler) {
            return add(new Method<>(service, method, requestParser, handler, Dispatch.EVENT_LOOP));
        }

        private Builder add(Method<?, ?> added) {
            String method = added.name();
            String service = added.service();
            Method<?, ?> previous = services.computeIfAbsent(service, s -> new HashMap<>())
                    .putIfAbsent(method, added);
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
