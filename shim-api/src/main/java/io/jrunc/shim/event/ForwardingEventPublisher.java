package io.jrunc.shim.event;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.jrunc.proto.services.events.ttrpc.v1.Envelope;
import io.jrunc.proto.services.events.ttrpc.v1.ForwardRequest;
import io.jrunc.shim.typeurl.TypeUrls;
import io.jrunc.ttrpc.CallOptions;
import io.jrunc.ttrpc.StatusCode;
import io.jrunc.ttrpc.TtrpcClient;
import io.jrunc.ttrpc.TtrpcException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Publishes events to containerd's ttrpc {@code Events/Forward} (the socket in {@code TTRPC_ADDRESS}),
 * as the Go shim does: one FIFO delivery thread, a queue of {@value #QUEUE_CAPACITY} events, each
 * call with namespace metadata and a 5 s timeout. A failed delivery reconnects and retries the same
 * event after attempt × 1 s, for {@value #MAX_ATTEMPTS} attempts (containerd may be restarting),
 * then the event is dropped with a log line. Retrying in place, rather than re-queueing at the back
 * as Go does, keeps start-before-exit ordering intact.
 *
 * <p>INVALID_ARGUMENT is not retried: containerd validated the envelope and refused it, and
 * retrying would only hold up the events behind it.
 */
public final class ForwardingEventPublisher implements EventPublisher {

    public static final String SERVICE = "containerd.services.events.ttrpc.v1.Events";
    public static final String METHOD = "Forward";
    public static final String NAMESPACE_METADATA = "containerd-namespace-ttrpc";
    public static final int QUEUE_CAPACITY = 2048;
    public static final int MAX_ATTEMPTS = 5;

    private static final System.Logger LOG = System.getLogger(ForwardingEventPublisher.class.getName());
    /** Wakes the delivery thread on close; compared by identity. */
    private static final Envelope STOP = Envelope.newBuilder().setTopic("\0stop").build();

    private final Path socket;
    private final String namespace;
    private final Duration retryUnit;
    private final Duration drainTimeout;
    private final CallOptions callOptions;
    private final BlockingQueue<Envelope> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread deliverer;
    private volatile boolean closing;
    /** Used by the delivery thread only. */
    private TtrpcClient client;

    /**
     * @param containerdTtrpcSocket containerd's ttrpc socket (a path; strip {@code unix://} with
     *     {@link TtrpcClient#socketPath(String)}); it need not exist yet
     */
    public ForwardingEventPublisher(Path containerdTtrpcSocket, String namespace) {
        this(containerdTtrpcSocket, namespace, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    /** Timings exposed for tests. */
    ForwardingEventPublisher(Path socket, String namespace, Duration retryUnit, Duration callTimeout, Duration drainTimeout) {
        this.socket = socket;
        this.namespace = namespace;
        this.retryUnit = retryUnit;
        this.drainTimeout = drainTimeout;
        this.callOptions = CallOptions.none().withMetadata(NAMESPACE_METADATA, namespace).withTimeout(callTimeout);
        this.deliverer = Thread.ofPlatform().name("event-publisher").daemon(true).unstarted(this::deliverAll);
        deliverer.start();
    }

    @Override
    public void publish(String topic, Message event) {
        if (closing) {
            LOG.log(Level.WARNING, "event publisher closed; dropping {0} event {1}", topic, describe(event));
            return;
        }
        Instant now = Instant.now();
        Envelope envelope = Envelope.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setNamespace(namespace)
                .setTopic(topic)
                .setEvent(TypeUrls.pack(event))
                .build();
        if (!queue.offer(envelope)) {
            LOG.log(Level.WARNING, "event queue full ({0} events, containerd not keeping up); dropping {1} event {2}",
                    QUEUE_CAPACITY, topic, describe(event));
        }
    }

    /** Events waiting for delivery (not counting one being delivered). */
    public int queued() {
        return queue.size();
    }

    private void deliverAll() {
        try {
            while (true) {
                Envelope next = closing ? queue.poll() : queue.take();
                if (next == null) {
                    return; // closing and drained
                }
                if (next != STOP && !deliver(next)) {
                    return; // interrupted: close() gave up waiting
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeClient();
        }
    }

    /** @return false if interrupted */
    private boolean deliver(Envelope envelope) {
        Exception last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                forward(envelope);
                return true;
            } catch (TtrpcException e) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                if (e.code() == StatusCode.INVALID_ARGUMENT) {
                    LOG.log(Level.WARNING, "containerd refused {0} event: {1}; dropping it", envelope.getTopic(), e.getMessage());
                    return true;
                }
                last = e;
            } catch (IOException e) {
                last = e;
            }
            closeClient();
            if (attempt < MAX_ATTEMPTS) {
                LOG.log(Level.DEBUG, "forwarding {0} event failed (attempt {1}): {2}; retrying",
                        envelope.getTopic(), attempt, String.valueOf(last));
                try {
                    Thread.sleep(retryUnit.multipliedBy(attempt));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            LOG.log(Level.WARNING, "event publisher closing; dropping {0} event", envelope.getTopic());
            return false;
        }
        LOG.log(Level.WARNING, "dropping {0} event after {1} failed attempts to forward it to {2}: {3}",
                envelope.getTopic(), MAX_ATTEMPTS, socket, String.valueOf(last));
        return true;
    }

    private void forward(Envelope envelope) throws IOException {
        if (client == null || !client.isActive()) {
            closeClient();
            client = TtrpcClient.connect(socket);
        }
        client.call(SERVICE, METHOD, ForwardRequest.newBuilder().setEnvelope(envelope).build(), Empty.parser(), callOptions);
    }

    private void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** Delivers what is queued, waiting at most 5 s; whatever is left then is dropped (and logged). */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        queue.offer(STOP); // wakes an idle delivery thread; if the queue is full it is busy anyway
        try {
            deliverer.join(drainTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (deliverer.isAlive()) {
            deliverer.interrupt();
            int left = queue.size();
            LOG.log(Level.WARNING, "event publisher: containerd did not take {0} queued event(s) within {1} s; dropping them",
                    left, drainTimeout.toSeconds());
            queue.clear();
        }
    }

    private static String describe(Message event) {
        return event.getDescriptorForType().getFullName();
    }
}
