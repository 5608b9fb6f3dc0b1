package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ContainerLogsTest {
    /** Every fifo opened, by bundle, with the lines it got; bundles in {@code unread} have no reader. */
    private final Map<Path, List<String>> written = new ConcurrentHashMap<>();
    private final List<Path> closed = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Path> closing = new LinkedBlockingQueue<>();
    private final List<Path> unread = new ArrayList<>();

    private Optional<ContainerLogs.Fifo> open(Path fifo) {
        Path bundle = fifo.getParent();
        if (unread.contains(bundle)) {
            return Optional.empty();
        }
        List<String> lines = written.computeIfAbsent(bundle, b -> new CopyOnWriteArrayList<>());
        return Optional.of(new ContainerLogs.Fifo() {
            @Override
            public void append(String line) {
                lines.add(line);
            }

            @Override
            public void close() {
                closed.add(bundle);
                closing.add(bundle);
            }
        });
    }

    @Test
    void theLogMovesToTheNewestLiveContainerWhenItsOwnIsDeleted() throws Exception {
        Path a = Path.of("/b/a"), b = Path.of("/b/b"), c = Path.of("/b/c");
        ContainerLogs logs = new ContainerLogs(this::open, "a", a);
        logs.append("boot\n");
        logs.created("a", a);
        logs.created("b", b);
        logs.created("c", c);
        assertEquals("a", logs.currentId(), "the first container's fifo as long as it lives");
        logs.deleted("b");
        assertEquals("a", logs.currentId());
        logs.deleted("a");
        assertEquals("c", logs.currentId());
        logs.append("after a\n");
        logs.deleted("c");
        assertEquals("c", logs.currentId(), "the last one is kept to the end");
        logs.append("exiting\n");

        assertEquals(List.of("boot\n"), written.get(a));
        assertEquals(List.of("after a\n", "exiting\n"), written.get(c));
        // The previous fifo is closed in the background: wait for that close, not for a guessed time.
        assertEquals(a, closing.poll(5, TimeUnit.SECONDS), "a's fifo closed");
        assertEquals(List.of(a), closed);
    }

    @Test
    void aLingeringDaemonFollowsTheNextContainer() {
        Path a = Path.of("/b/a"), d = Path.of("/b/d");
        ContainerLogs logs = new ContainerLogs(this::open, "a", a);
        logs.created("a", a);
        logs.deleted("a");
        logs.created("d", d);
        assertEquals("d", logs.currentId(), "a's fifo has no reader any more");
    }

    @Test
    void withoutAReaderNothingIsWrittenUntilAContainerHasOne() {
        Path a = Path.of("/b/a"), e = Path.of("/b/e");
        unread.add(a);
        ContainerLogs logs = new ContainerLogs(this::open, "a", a);
        assertNull(logs.currentId());
        logs.append("lost\n");
        logs.created("e", e);
        logs.append("kept\n");
        assertEquals(List.of("kept\n"), written.get(e));
    }
}
