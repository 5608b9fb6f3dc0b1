package io.jrunc.it.lifecycle;

import io.jrunc.it.harness.ScenarioSuite;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * What every lifecycle scenario class shares: one private containerd and one busybox rootfs per
 * class, each test in a {@link ShimScenario} of its own (fresh namespace, leftover check on close),
 * and containerd's log printed when a test fails. Tests are parameterized over {@link ShimUnderTest}:
 * GO is the reference, JAVA must behave the same.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class LifecycleScenarios extends ScenarioSuite {
}
