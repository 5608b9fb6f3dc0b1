package io.jrunc.it.grouping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.it.harness.UnixSockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A bounded failure domain: JRUNC_MAX_CONTAINERS=3 in containerd's environment, ten containers started at
 * once. No daemon serves more than three, every container has a live daemon that is its init's parent,
 * each daemon's places name exactly the containers whose address files point at it; a containerd restart
 * finds every task where it was; deleting them gives every place back and the daemons go.
 */
class MaxContainersIT extends GroupingScenarios {
    private static final int MAX = 3;
    private static final int CONTAINERS = 10;

    @BeforeAll
    static void restartContainerdWithMaxContainers() throws IOException {
        stopContainerd();
        startContainerd(Map.of("JRUNC_GROUPING", "namespace", "JRUNC_MAX_CONTAINERS", Integer.toString(MAX), "JRUNC_LINGER", "1s"));
    }

    @Test
    void parallelStartsFillBoundedDaemonsWithoutOverfillingOrOrphaning() throws Exception {
        try (ShimScenario s = begin()) {
            String ns = s.namespace();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < CONTAINERS; i++) {
                ids.add("m" + i);
                s.own("m" + i);
            }
            try (var pool = Executors.newFixedThreadPool(CONTAINERS)) {
                List<Future<?>> started = new ArrayList<>();
                for (String id : ids) {
                    started.add(pool.submit(() -> s.ctr().ok("run", "-d", "--null-io", "--runtime", ShimUnderTest.JAVA.runtime(),
                            "--rootfs", rootfs.path().toString(), id, "/bin/sleep", "300")));
                }
                for (Future<?> f : started) {
                    f.get(120, TimeUnit.SECONDS);
                }
            }

            Map<Path, List<String>> byDaemon = servedBy(ns, ids);
            assertTrue(byDaemon.size() >= (CONTAINERS + MAX - 1) / MAX, "at least ceil(10/3) daemons: " + byDaemon);
            assertEquals(byDaemon.size(), daemonsOf(ns).size(), "one daemon per socket: " + byDaemon + " " + daemonsOf(ns));
            for (Map.Entry<Path, List<String>> daemon : byDaemon.entrySet()) {
                Path socket = daemon.getKey();
                assertTrue(daemon.getValue().size() <= MAX, "over the bound: " + byDaemon);
                List<Long> listeners = UnixSockets.listeners(socket);
                assertEquals(1, listeners.size(), "one live daemon on " + socket + ": " + listeners);
                for (String id : daemon.getValue()) {
                    long init = s.ctr().task(id).orElseThrow().pid();
                    assertEquals(listeners.getFirst(), Procs.stat(init).orElseThrow().ppid(), id + "'s init is its daemon's child");
                }
                assertEquals(daemon.getValue().stream().sorted().toList(), places(socket), "places of " + socket);
            }

            containerd.restart();
            for (String id : ids) {
                Ctr.TaskRow row = s.ctr().task(id).orElseThrow(() -> new AssertionError(id + " lost over the restart"));
                assertEquals("RUNNING", row.status(), row.toString());
            }
            assertEquals(byDaemon, servedBy(ns, ids), "address files unchanged by the restart");

            for (String id : ids) {
                s.remove(id);
            }
            for (Path socket : byDaemon.keySet()) {
                assertTrue(Poll.until(Duration.ofSeconds(20), () -> places(socket).isEmpty()), "places given back: " + places(socket));
            }
            assertTrue(Poll.until(Duration.ofSeconds(20), () -> daemonsOf(ns).isEmpty()), "daemons gone: " + daemonsOf(ns));
        }
    }

    /** Socket -> the containers whose address file names it. */
    private static Map<Path, List<String>> servedBy(String ns, List<String> ids) throws IOException {
        Map<Path, List<String>> byDaemon = new TreeMap<>();
        for (String id : ids) {
            byDaemon.computeIfAbsent(ShimAddress.fromBundle(containerd.bundle(ns, id)), k -> new ArrayList<>()).add(id);
        }
        byDaemon.values().forEach(list -> list.sort(null));
        return byDaemon;
    }

    /** The container ids a daemon's places name (its {@code <socket>.slots} links). */
    private static List<String> places(Path socket) {
        Path dir = socket.resolveSibling(socket.getFileName() + ".slots");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> links = Files.list(dir)) {
            Map<String, String> holders = new HashMap<>();
            for (Path link : links.toList()) {
                holders.put(link.getFileName().toString(), Files.readSymbolicLink(link).toString());
            }
            return holders.values().stream().sorted().toList();
        } catch (IOException e) {
            return List.of("unreadable: " + e.getMessage());
        }
    }
}
