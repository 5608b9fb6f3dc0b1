package io.jrunc.it.terminal;

import io.jrunc.it.harness.ScenarioSuite;
import io.jrunc.it.harness.ShimUnderTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * What the terminal and stdin scenarios share: one private containerd and one busybox rootfs per class,
 * each test in a {@link TerminalScenario} of its own, containerd's log printed when a test fails. Tests
 * are parameterized over {@link ShimUnderTest}: GO is the reference, JAVA must behave the same.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class TerminalScenarios extends ScenarioSuite {
    static TerminalScenario beginTerminal(ShimUnderTest shim) {
        return TerminalScenario.begin(containerd, rootfs, shim);
    }
}
