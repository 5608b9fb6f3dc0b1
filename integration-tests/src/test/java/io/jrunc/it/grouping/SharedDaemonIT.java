package io.jrunc.it.grouping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.JruncGrouping;
import io.jrunc.it.harness.Mounts;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.UnixSockets;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.services.events.v1.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One shim daemon for every container of a namespace (annotation io.jrunc.grouping=namespace): the
 * first start runs a JVM and starts the daemon, the next ones join it from the launcher script
 * without a JVM, and so do the delete actions after each normal teardown. The daemon outlives its
 * first container, lingers when idle, is reused by a container created during the linger, then
 * exits and removes its socket and state file. When it is killed, containerd's delete action cleans
 * up every container it served.
 */
class SharedDaemonIT extends GroupingScenarios {
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final List<String> SHARED = List.of(JruncGrouping.GROUPING_ANNOTATION + "=namespace",
            JruncGrouping.LINGER_ANNOTATION + "=4s");

    @Test
    void threeContainersShareOneDaemonThatLingersAndIsReused() throws Exception {
        try (ShimScenario s = begin()) {
            String ns = s.namespace();
            Path socket = JruncGrouping.sharedSocket(containerd.grpcSocket(), ns);
            Map<String, Long> pids = new LinkedHashMap<>();
            for (String id : List.of("c1", "c2", "c3")) {
                pids.put(id, runDetached(s, id, SHARED, "/bin/sleep", "300"));
            }

            for (String id : pids.keySet()) {
                assertEquals(socket, ShimAddress.fromBundle(containerd.bundle(ns, id)), "address file of " + id);
            }
            List<Long> daemons = daemonsOf(ns);
            assertEquals(1, daemons.size(), "one daemon for the namespace: " + daemons);
            long daemon = daemons.getFirst();
            assertEquals(List.of(daemon), UnixSockets.listeners(socket), "it alone listens on the shared socket");
            for (Map.Entry<String, Long> task : pids.entrySet()) {
                assertEquals(daemon, Procs.stat(task.getValue()).orElseThrow().ppid(), task.getKey() + "'s init is the daemon's child");
            }
            assertEquals(List.of("start jvm c1", "start fast c2", "start fast c3"), traced(ns),
                    "only the first start ran a JVM");

            // Its first container (its working directory, its first log fifo) goes; the others stay served.
            s.remove("c1");
            s.remove("c2");
            assertTrue(Procs.running(daemon), "the daemon serves c3");
            assertEquals("RUNNING", s.ctr().task("c3").orElseThrow().status());
            s.ctr().ok("task", "kill", "-s", "SIGKILL", "c3");
            s.awaitStopped("c3", SETTLE);
            s.remove("c3");
            assertEquals(List.of("delete fast c1", "delete fast c2", "delete fast c3"),
                    traced(ns).stream().filter(l -> l.startsWith("delete")).toList(), "no JVM for the deletes");

            // Idle: it lingers, and a container created meanwhile reuses it.
            assertTrue(Procs.running(daemon), "the idle daemon lingers");
            assertTrue(Files.exists(JruncGrouping.stateFile(socket)));
            runDetached(s, "c4", SHARED, "/bin/sleep", "300");
            assertEquals(List.of(daemon), daemonsOf(ns), "c4 is served by the lingering daemon");
            assertEquals("start fast c4", traced(ns).getLast());
            s.remove("c4");

            long idleSince = System.nanoTime();
            assertTrue(Poll.until(SETTLE, () -> !Procs.running(daemon)), "the daemon exits after its linger");
            double idle = (System.nanoTime() - idleSince) / 1e9;
            assertTrue(idle > 3.0, "exited after " + idle + " s, before its 4 s linger");
            assertFalse(Files.exists(socket), "socket removed");
            assertFalse(Files.exists(JruncGrouping.stateFile(socket)), "state file removed");
        }
    }

    @Test
    void killingTheSharedDaemonCleansUpEveryTaskItServed() throws Exception {
        try (ShimScenario s = begin(); EventStream events = s.client().subscribe("namespace==" + s.namespace())) {
            events.awaitActive(SETTLE);
            String ns = s.namespace();
            Path socket = JruncGrouping.sharedSocket(containerd.grpcSocket(), ns);
            Map<String, Long> pids = new LinkedHashMap<>();
            for (String id : List.of("k1", "k2", "k3")) {
                pids.put(id, runDetached(s, id, SHARED, "/bin/sleep", "300"));
            }
            long daemon = daemonsOf(ns).getFirst();

            ProcessHandle.of(daemon).orElseThrow().destroyForcibly();

            Set<String> exited = new HashSet<>();
            while (exited.size() < pids.size()) {
                Envelope env = events.await(SETTLE, "/tasks/exit of every task after the daemon died " + exited,
                        e -> e.getTopic().equals("/tasks/exit"));
                TaskExit exit = TaskExit.parseFrom(env.getEvent().getValue());
                assertEquals(pids.get(exit.getContainerId()), exit.getPid(), exit::toString);
                assertEquals(137, exit.getExitStatus(), exit::toString);
                exited.add(exit.getContainerId());
            }
            Poll.require(SETTLE, () -> s.ctr().tasks().isEmpty(), () -> "containerd to drop every task: " + s.ctr().tasks());
            for (Map.Entry<String, Long> task : pids.entrySet()) {
                assertTrue(Poll.until(SETTLE, () -> !Procs.running(task.getValue())), task.getKey() + "'s init killed");
                Path runcState = PrivateContainerd.RUNC_ROOT.resolve(ns).resolve(task.getKey());
                assertFalse(Files.exists(runcState), "runc state of " + task.getKey() + " removed");
                assertEquals(List.of(), Mounts.under(containerd.bundle(ns, task.getKey())), "rootfs of " + task.getKey() + " unmounted");
            }
            assertEquals(Set.of("delete cleanup k1", "delete cleanup k2", "delete cleanup k3"),
                    Set.copyOf(traced(ns).stream().filter(l -> l.startsWith("delete")).toList()),
                    "no marker after a crash: every delete is the full cleanup, in sh (runc and umount), without a JVM");
            assertFalse(Files.exists(JruncGrouping.stateFile(socket)), "the dead daemon's state file is removed");
            if (Files.exists(socket)) {
                assertFalse(UnixSockets.accepts(socket), "nothing listens on the dead daemon's socket");
            }

            // The namespace gets a new daemon, which replaces the stale socket.
            runDetached(s, "k4", SHARED, "/bin/sleep", "300");
            List<Long> now = daemonsOf(ns);
            assertEquals(1, now.size());
            assertTrue(now.getFirst() != daemon);
            assertEquals("start jvm k4", traced(ns).getLast());
        }
    }
}
