package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Twenty clients at once, each creating, starting, waiting for and deleting its own container with its own
 * fifos: every one gets its own output and exit code, and nothing is left behind.
 */
final class ConcurrentStartScenario implements ConformanceScenario {
    private static final int CONTAINERS = 20;

    @Override
    public String name() {
        return "concurrent-20";
    }

    @Override
    public String summary() {
        return CONTAINERS + " containers created and started concurrently: own output, own exit code, all deleted";
    }

    @Override
    public void run(CellRun run) throws Exception {
        CyclicBarrier together = new CyclicBarrier(CONTAINERS);
        List<Future<String>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(CONTAINERS)) {
            for (int i = 0; i < CONTAINERS; i++) {
                int n = i;
                results.add(pool.submit(() -> one(run, n, together)));
            }
            for (int i = 0; i < CONTAINERS; i++) {
                assertEquals("ok " + i, results.get(i).get(150, TimeUnit.SECONDS), "container c" + i);
            }
        }
    }

    private static String one(CellRun run, int n, CyclicBarrier together) throws Exception {
        String id = "c" + n;
        StdioFifos stdio = run.fifos(id, false);
        run.createContainer(id, run.spec(id, "/bin/sh", "-c", "echo ok " + n + "; exit " + (n % 7)));
        together.await(60, TimeUnit.SECONDS);
        run.createTask(id, stdio);
        run.start(id);
        assertEquals(n % 7, run.await(id).getExitStatus(), id + " exit code");
        String out = stdio.awaitStdout(CellRun.EXIT).strip();
        assertEquals(n % 7, run.deleteTask(id).getExitStatus(), id + " Delete");
        run.deleteContainer(id);
        return out;
    }
}
