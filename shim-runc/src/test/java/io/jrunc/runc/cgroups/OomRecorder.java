package io.jrunc.runc.cgroups;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Collects the container ids an OOM watcher reports, in order. */
final class OomRecorder implements Consumer<String> {
    private final List<String> ids = new ArrayList<>();

    @Override
    public synchronized void accept(String id) {
        ids.add(id);
        notifyAll();
    }

    synchronized List<String> ids() {
        return List.copyOf(ids);
    }

    /** Waits until {@code count} reports arrived; fails after {@code timeout}. */
    synchronized List<String> await(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ids.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " OOM reports within " + timeout + ", got " + ids);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(ids);
    }
}
