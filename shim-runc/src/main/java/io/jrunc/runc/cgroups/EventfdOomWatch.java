package io.jrunc.runc.cgroups;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * cgroup v1: an eventfd registered for {@code memory.oom_control} through {@code cgroup.event_control}. The
 * kernel adds to its counter when the memory cgroup goes under OOM (before the victim is killed) and when the
 * cgroup is removed; a non-zero read while the cgroup still exists is an OOM.
 */
final class EventfdOomWatch implements OomWatch {
    private static final Logger LOG = System.getLogger(EventfdOomWatch.class.getName());

    private final String containerId;
    private final Path memoryDir;
    private final Posix posix;
    private final int eventfd;
    private boolean closed;

    private EventfdOomWatch(String containerId, Path memoryDir, Posix posix, int eventfd) {
        this.containerId = containerId;
        this.memoryDir = memoryDir;
        this.posix = posix;
        this.eventfd = eventfd;
    }

    /** Creates a non-blocking eventfd and registers it for the OOM notifications of {@code memoryDir}. */
    static EventfdOomWatch register(String containerId, Path memoryDir, Posix posix) throws PosixException, IOException {
        int eventfd = posix.eventfd(0, Posix.EFD_NONBLOCK);
        try {
            int oomControl = posix.open(memoryDir.resolve("memory.oom_control"), Posix.O_RDONLY, 0);
            try {
                // The kernel resolves both numbers in the writer's fd table, i.e. this process.
                Files.writeString(memoryDir.resolve("cgroup.event_control"), eventfd + " " + oomControl);
            } finally {
                posix.close(oomControl);
            }
        } catch (PosixException | IOException | RuntimeException e) {
            posix.close(eventfd);
            throw e;
        }
        return new EventfdOomWatch(containerId, memoryDir, posix, eventfd);
    }

    int eventfd() {
        return eventfd;
    }

    @Override
    public String containerId() {
        return containerId;
    }

    @Override
    public synchronized boolean check(Consumer<String> onOom) {
        if (closed) {
            return false;
        }
        if (drain() == 0) {
            return true;
        }
        if (!Files.isDirectory(memoryDir)) {
            return false; // the signal was the cgroup's removal
        }
        onOom.accept(containerId);
        return true;
    }

    /** Reads and resets the counter; 0 when nothing was signalled (EAGAIN). */
    private long drain() {
        byte[] counter = new byte[Long.BYTES];
        try {
            int n = posix.read(eventfd, counter, 0, counter.length);
            return n == Long.BYTES ? ByteBuffer.wrap(counter).order(ByteOrder.nativeOrder()).getLong() : 0;
        } catch (PosixException e) {
            if (e.errno() != Errno.EAGAIN) {
                LOG.log(Level.WARNING, "reading the OOM eventfd of " + containerId + " failed: " + e.getMessage());
            }
            return 0;
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            posix.close(eventfd); // also leaves the epoll set: nobody else holds this fd
        }
    }
}
