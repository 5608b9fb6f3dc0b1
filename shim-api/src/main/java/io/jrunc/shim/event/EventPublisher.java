package io.jrunc.shim.event;

import com.google.protobuf.Message;

/**
 * Publishes task events to containerd. Calls never block on the network: events are queued in
 * order and delivered by the implementation, which retries while containerd is unreachable.
 */
public interface EventPublisher extends AutoCloseable {

    /** Queues {@code event} under {@code topic} (e.g. "/tasks/exit"), stamped with the current time. */
    void publish(String topic, Message event);

    /** Delivers what is queued (waiting at most a few seconds), then stops. */
    @Override
    void close();
}
