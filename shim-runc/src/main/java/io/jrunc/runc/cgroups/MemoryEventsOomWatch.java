package io.jrunc.runc.cgroups;

import io.jrunc.proto.cgroups.v2.MemoryEvents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * cgroup v2: {@code memory.events} of the container's cgroup, re-read whenever inotify says it changed. An
 * OOM is an increase of {@code oom_kill} (not {@code oom}: with a pod-level limit that counter moves in the
 * parent, containerd#6323). The kernel counts the kill when it is issued, before the victim exits.
 */
final class MemoryEventsOomWatch implements OomWatch {
    private final String containerId;
    private final Path dir;
    private final int watchDescriptor;
    private long lastOomKill;
    private boolean closed;

    /** Starts from the current count: kills before the watch began are not this container's news. */
    MemoryEventsOomWatch(String containerId, Path dir, int watchDescriptor) throws IOException {
        this.containerId = containerId;
        this.dir = dir;
        this.watchDescriptor = watchDescriptor;
        this.lastOomKill = V2MetricsReader.readMemoryEvents(dir).map(MemoryEvents::getOomKill).orElse(0L);
    }

    static Path eventsFile(Path dir) {
        return dir.resolve("memory.events");
    }

    int watchDescriptor() {
        return watchDescriptor;
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
        Optional<Map<String, Long>> events;
        try {
            events = CgroupFiles.readKeyValues(eventsFile(dir));
        } catch (IOException e) {
            // A removed cgroup may answer ENODEV before its files disappear.
            return Files.exists(eventsFile(dir));
        }
        if (events.isEmpty()) {
            return false; // the file is gone with its cgroup
        }
        Long oomKill = events.get().get("oom_kill");
        if (oomKill != null && Long.compareUnsigned(oomKill, lastOomKill) > 0) {
            lastOomKill = oomKill;
            onOom.accept(containerId);
        }
        return true;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
