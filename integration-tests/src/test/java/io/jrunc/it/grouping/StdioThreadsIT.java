package io.jrunc.it.grouping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.JruncGrouping;
import io.jrunc.it.harness.ShimScenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The threads of a shared daemon do not grow with its containers: every container here has stdin, stdout
 * and stderr FIFOs (copied by the daemon), yet the daemon's thread count stays under a fixed bound from 1
 * to {@code -Djrunc.it.stdioThreads.max} (default 100) running containers. Prints the counts and the
 * thread names (digits folded) at each step.
 */
class StdioThreadsIT extends GroupingScenarios {
    private static final int MAX_THREADS = 40;
    /** One daemon for the namespace, which exits soon after the last container went (before the leftover check). */
    private static final List<String> SHARED = List.of(JruncGrouping.GROUPING_ANNOTATION + "=namespace",
            JruncGrouping.LINGER_ANNOTATION + "=1s");

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void threadsStayBoundedWhileContainersWithStdioAreAdded() throws Exception {
        int max = Integer.getInteger("jrunc.it.stdioThreads.max", 100);
        List<Integer> steps = Stream.of(1, 20, 100, 300).filter(n -> n <= max).toList();
        try (ShimScenario s = begin()) {
            String ns = s.namespace();
            int running = 0;
            long daemon = -1;
            for (int step : steps) {
                while (running < step) {
                    String id = "t" + running++;
                    s.own(id);
                    List<String> options = new ArrayList<>(List.of("-d", "--fifo-dir", containerd.fifoDir().toString()));
                    for (String a : SHARED) {
                        options.addAll(List.of("--annotation", a));
                    }
                    s.ctr().ok(s.ctrRunArgs(options, id, "/bin/sleep", "3600"));
                }
                List<Long> daemons = daemonsOf(ns);
                assertEquals(1, daemons.size(), "one daemon for the namespace: " + daemons);
                daemon = daemons.getFirst();
                Thread.sleep(2000); // let start-up work (runc waits, exit watchers) settle
                Map<String, Integer> names = threadNames(daemon);
                int threads = names.values().stream().mapToInt(Integer::intValue).sum();
                System.out.printf("jrunc daemon %d with %d running containers: %d threads %s%n", daemon, step, threads, names);
                assertTrue(threads <= MAX_THREADS, step + " containers: " + threads + " threads " + names);
            }
        }
    }

    /** Thread name (its digits as #) to how many threads have it. */
    private static Map<String, Integer> threadNames(long pid) throws IOException {
        Map<String, Integer> names = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("[0-9]+", "#");
                    names.merge(name, 1, Integer::sum);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return names;
    }
}
