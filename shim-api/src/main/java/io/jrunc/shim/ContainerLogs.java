package io.jrunc.shim;

import io.jrunc.shim.log.FifoLogAppender;
import io.jrunc.shim.log.LogSink;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The daemon's log: the {@code log} fifo in the bundle of one container it serves, which containerd
 * reads while that container lives. A daemon that serves several containers (a pod, a namespace)
 * outlives the first one; when the container whose fifo it writes is deleted, it moves on to the
 * newest container still served, so its log keeps reaching containerd. The last container's fifo
 * is kept to the end (containerd reads it until the daemon's Shutdown).
 */
final class ContainerLogs implements LogSink, ServedContainers, AutoCloseable {
    /** One bundle's log fifo, open for writing. */
    interface Fifo extends LogSink {
        void close();

        static Fifo of(FifoLogAppender appender) {
            return new Fifo() {
                @Override
                public void append(String line) {
                    appender.append(line);
                }

                @Override
                public void close() {
                    appender.close();
                }
            };
        }
    }

    private final Function<Path, Optional<Fifo>> opener;
    private final Map<String, Path> live = new LinkedHashMap<>();
    private String currentId;
    private volatile Fifo current;

    /** @param opener opens a bundle's fifo, empty when nobody reads it */
    ContainerLogs(Function<Path, Optional<Fifo>> opener, String id, Path bundle) {
        this.opener = opener;
        this.currentId = id;
        this.current = opener.apply(bundle.resolve("log")).orElse(null);
    }

    @Override
    public void append(String line) {
        Fifo target = current;
        if (target != null) {
            target.append(line);
        }
    }

    @Override
    public synchronized void created(String id, Path bundle) {
        live.put(id, bundle);
        if (current == null || !live.containsKey(currentId)) {
            switchTo(id, bundle);
        }
    }

    @Override
    public synchronized void deleted(String id) {
        live.remove(id);
        if (id.equals(currentId) && !live.isEmpty()) {
            Map.Entry<String, Path> newest = live.entrySet().stream().reduce((a, b) -> b).orElseThrow();
            switchTo(newest.getKey(), newest.getValue());
        }
    }

    /** The container whose fifo gets the log now. */
    synchronized String currentId() {
        return current == null ? null : currentId;
    }

    private void switchTo(String id, Path bundle) {
        Optional<Fifo> next = opener.apply(bundle.resolve("log"));
        if (next.isEmpty()) {
            return;
        }
        Fifo previous = current;
        current = next.get();
        currentId = id;
        if (previous != null) {
            Thread.ofVirtual().name("jrunc-log-close").start(previous::close); // close drains for up to 0.5 s
        }
    }

    @Override
    public synchronized void close() {
        if (current != null) {
            current.close();
        }
    }
}
