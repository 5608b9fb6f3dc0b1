package io.jrunc.it.exec;

import io.jrunc.it.harness.ScenarioSuite;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * What the exec, update, logging and checkpoint scenario classes share: one private containerd and one busybox
 * rootfs per class, each test in a {@link ShimScenario} of its own, parameterized over {@link ShimUnderTest}
 * (GO is the reference, JAVA must behave the same), containerd's log printed when a test fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class ExecScenarios extends ScenarioSuite {
}
