package io.jrunc.it.harness;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the end of containerd's log (with the shim's own log lines, which containerd copies from
 * the bundle's {@code log} fifo) when a {@link ShimScenario} test fails, so the report says what
 * the shim did. Use with {@code @ExtendWith(ContainerdLogOnFailure.class)}.
 */
public final class ContainerdLogOnFailure implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        ShimScenario scenario = ShimScenario.current();
        if (scenario == null) {
            return;
        }
        System.err.println("=== " + context.getDisplayName() + " [" + scenario.shim() + ", namespace "
                + scenario.namespace() + "] failed: " + cause
                + "\n=== containerd log since the scenario began (" + scenario.containerd().logFile() + "):\n"
                + scenario.containerdLogTail() + "\n=== end of log");
    }
}
