package io.jrunc.it.grouping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.JruncGrouping;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimScenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Grouping set for a whole containerd through its environment (JRUNC_GROUPING=namespace,
 * JRUNC_LINGER=0, e.g. from a systemd drop-in), no annotations: containers share a daemon, which
 * exits as soon as the last one is gone.
 */
class ContainerdEnvironmentGroupingIT extends GroupingScenarios {
    /**
     * Runs after the suite's own {@code @BeforeAll} (JUnit runs both, even for a hiding method of the same
     * name, which leaked the first containerd): replaces its containerd with one that has the environment.
     */
    @BeforeAll
    static void restartContainerdWithGroupingEnvironment() throws IOException {
        stopContainerd();
        startContainerd(Map.of("JRUNC_GROUPING", "namespace", "JRUNC_LINGER", "0"));
    }

    @Test
    void theEnvironmentGroupsWithoutAnnotations() throws Exception {
        try (ShimScenario s = begin()) {
            String ns = s.namespace();
            runDetached(s, "e1", List.of(), "/bin/sleep", "300");
            runDetached(s, "e2", List.of(), "/bin/sleep", "300");
            Path shared = JruncGrouping.sharedSocket(containerd.grpcSocket(), ns);
            assertEquals(shared, ShimAddress.fromBundle(containerd.bundle(ns, "e1")));
            assertEquals(shared, ShimAddress.fromBundle(containerd.bundle(ns, "e2")));
            assertEquals(1, daemonsOf(ns).size());
            assertEquals(List.of("start jvm e1", "start fast e2"), traced(ns));

            s.remove("e1");
            s.remove("e2");
            assertTrue(Poll.until(Duration.ofSeconds(8), () -> daemonsOf(ns).isEmpty()), "linger 0: exits with the last container");
            assertTrue(Poll.until(Duration.ofSeconds(2), () -> !Files.exists(shared)));
        }
    }
}
