package io.jrunc.it.reliability;

import io.jrunc.it.harness.JruncGrouping;
import io.jrunc.it.harness.ScenarioSuite;
import io.jrunc.it.harness.ShimDaemon;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.it.harness.UnixSockets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * What the fault tests share: a private containerd and busybox rootfs per class, each test in a
 * {@link ShimScenario} (fresh namespace, every container removed and a leftover check on close), run for GO (the
 * reference) and JAVA (in its default grouping: one daemon for the namespace).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
abstract class FaultScenarios extends ScenarioSuite {
    static final Duration SETTLE = Duration.ofSeconds(20);

    /** The shim process serving {@code id}: the namespace daemon for JAVA, the container's own shim for GO. */
    static long shimOf(ShimScenario s, String id) {
        if (s.shim() == ShimUnderTest.JAVA && JruncGrouping.mode().isEmpty()) {
            List<Long> pids = UnixSockets.listeners(JruncGrouping.sharedSocket(containerd.grpcSocket(), s.namespace()));
            if (pids.size() != 1) {
                throw new AssertionError("expected one namespace daemon, found " + pids);
            }
            return pids.getFirst();
        }
        return ShimDaemon.pid(containerd, s.namespace(), id);
    }
}
