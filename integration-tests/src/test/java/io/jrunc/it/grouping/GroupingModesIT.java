package io.jrunc.it.grouping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.JruncGrouping;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimScenario;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-pod grouping (like the Go shim: containers with the same group annotation share a daemon, the
 * second joining without a JVM) and per-container grouping (the annotation is ignored: a daemon
 * each), both chosen by annotation over the default (one daemon per namespace). Neither lingers: the
 * daemon exits with its last container.
 */
class GroupingModesIT extends GroupingScenarios {
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final String GROUP = "io.containerd.runc.v2.group=pod-a";
    private static final String POD = JruncGrouping.GROUPING_ANNOTATION + "=pod";

    @Test
    void podGroupingSharesADaemonPerGroup() throws Exception {
        try (ShimScenario s = begin()) {
            String ns = s.namespace();
            runDetached(s, "p1", List.of(GROUP, POD), "/bin/sleep", "300");
            runDetached(s, "p2", List.of(GROUP, POD), "/bin/sleep", "300");
            runDetached(s, "solo", List.of(POD), "/bin/sleep", "300");

            Path podSocket = ShimAddress.derived(containerd.grpcSocket(), ns, "pod-a");
            assertEquals(podSocket, ShimAddress.fromBundle(containerd.bundle(ns, "p1")));
            assertEquals(podSocket, ShimAddress.fromBundle(containerd.bundle(ns, "p2")));
            assertEquals(ShimAddress.derived(containerd.grpcSocket(), ns, "solo"), ShimAddress.fromBundle(containerd.bundle(ns, "solo")));
            assertEquals(2, daemonsOf(ns).size(), "one for the pod, one for solo: " + daemonsOf(ns));
            assertEquals(List.of("start jvm p1", "start fast p2", "start jvm solo"), traced(ns));

            s.remove("p1");
            s.remove("p2");
            s.remove("solo");
            assertTrue(Poll.until(SETTLE, () -> daemonsOf(ns).isEmpty()), "no linger: " + daemonsOf(ns));
        }
    }

    @Test
    void containerGroupingIgnoresThePod() throws Exception {
        try (ShimScenario s = begin()) {
            String ns = s.namespace();
            String perContainer = JruncGrouping.GROUPING_ANNOTATION + "=container";
            runDetached(s, "x1", List.of(GROUP, perContainer), "/bin/sleep", "300");
            runDetached(s, "x2", List.of(GROUP, perContainer), "/bin/sleep", "300");

            Path x1 = ShimAddress.fromBundle(containerd.bundle(ns, "x1"));
            Path x2 = ShimAddress.fromBundle(containerd.bundle(ns, "x2"));
            assertEquals(ShimAddress.derived(containerd.grpcSocket(), ns, "x1"), x1);
            assertNotEquals(x1, x2);
            List<Long> daemons = daemonsOf(ns);
            assertEquals(2, daemons.size(), daemons.toString());
            assertEquals(List.of("start jvm x1", "start jvm x2"), traced(ns));

            s.remove("x1");
            assertTrue(Poll.until(SETTLE, () -> daemonsOf(ns).size() == 1), "x1's daemon exits at once: " + daemonsOf(ns));
            assertTrue(Procs.running(daemonsOf(ns).getFirst()));
            s.remove("x2");
        }
    }
}
