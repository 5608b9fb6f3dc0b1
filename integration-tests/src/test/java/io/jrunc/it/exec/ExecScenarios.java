package io.jrunc.it.exec;

import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.ContainerdLogOnFailure;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the exec, update, logging and checkpoint scenario classes share: one private containerd and one busybox
 * rootfs per class, each test in a {@link ShimScenario} of its own, parameterized over {@link ShimUnderTest}
 * (GO is the reference, JAVA must behave the same), containerd's log printed when a test fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(ContainerdLogOnFailure.class)
abstract class ExecScenarios {
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

    static ShimScenario begin(ShimUnderTest shim) {
        return ShimScenario.begin(containerd, rootfs, shim);
    }
}
