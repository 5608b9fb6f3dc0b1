package io.jrunc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.stream.Stream;

/** Threads of processes (/proc/&lt;pid&gt;/task entries), summed; a process gone meanwhile counts 0. */
final class ProcessThreads {
    private ProcessThreads() {
    }

    static long count(Collection<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                total += tasks.count();
            } catch (IOException e) {
                // exited
            }
        }
        return total;
    }
}
