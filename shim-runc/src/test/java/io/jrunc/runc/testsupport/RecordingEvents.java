package io.jrunc.runc.testsupport;

import com.google.protobuf.Message;
import io.jrunc.shim.event.EventPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Keeps published events in order, for assertions. */
public final class RecordingEvents implements EventPublisher {
    public record Event(String topic, Message payload) {}

    private final List<Event> events = new ArrayList<>();

    @Override
    public synchronized void publish(String topic, Message event) {
        events.add(new Event(topic, event));
        notifyAll();
    }

    @Override
    public void close() {}

    public synchronized List<Event> all() {
        return List.copyOf(events);
    }

    public synchronized List<String> topics() {
        return events.stream().map(Event::topic).toList();
    }

    /** Waits until an event with {@code topic} was published (at most {@code timeout}) and returns it. */
    public synchronized Event await(String topic, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Event e : events) {
                if (e.topic().equals(topic)) {
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + topic + " event within " + timeout + "; got " + topics());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
