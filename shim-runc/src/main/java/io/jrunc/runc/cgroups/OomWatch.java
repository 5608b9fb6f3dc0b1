package io.jrunc.runc.cgroups;

import java.util.function.Consumer;

/**
 * How one container's OOM kills are noticed. {@link #check} is called by the watcher thread when the kernel
 * signals, and by the exit path once more right before the init's exit is published; it is synchronized, so
 * an OOM is reported exactly once and, when both race, before the exit.
 */
sealed interface OomWatch permits EventfdOomWatch, MemoryEventsOomWatch {

    String containerId();

    /**
     * Reports (through {@code onOom}) an OOM that happened since the last check. Returns false when the
     * cgroup is gone and the watch should be dropped.
     */
    boolean check(Consumer<String> onOom);

    /** Stops watching; later checks report nothing. */
    void close();
}
