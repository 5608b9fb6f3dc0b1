package io.jrunc.it.terminal;

import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.ContainerdLogOnFailure;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.ShimUnderTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the terminal and stdin scenarios share: one private containerd and one busybox rootfs per class,
 * each test in a {@link TerminalScenario} of its own, containerd's log printed when a test fails. Tests
 * are parameterized over {@link ShimUnderTest}: GO is the reference, JAVA must behave the same.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(ContainerdLogOnFailure.class)
abstract class TerminalScenarios {
    static PrivateContainerd containerd;
    static BusyboxRootfs rootfs;

    @BeforeAll
    static void startContainerd() {
        rootfs = BusyboxRootfs.create();
        containerd = PrivateContainerd.start();
    }

    @AfterAll
    static void stopContainerd() {
        if (containerd != null) {
            containerd.close();
            containerd = null;
        }
        if (rootfs != null) {
            rootfs.close();
            rootfs = null;
        }
    }

    static TerminalScenario begin(ShimUnderTest shim) {
        return TerminalScenario.begin(containerd, rootfs, shim);
    }
}
