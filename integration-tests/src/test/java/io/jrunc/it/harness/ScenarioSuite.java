package io.jrunc.it.harness;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every scenario class shares: one private containerd and one busybox rootfs per class (started
 * before its first test, removed after its last), and containerd's log printed when a test fails.
 * Each test then runs in a scenario of its own (fresh namespace, leftover check on close),
 * parameterized over {@link ShimUnderTest}: GO is the reference, JAVA must behave the same.
 */
@ExtendWith(ContainerdLogOnFailure.class)
public abstract class ScenarioSuite {
    protected static PrivateContainerd containerd;
    protected static BusyboxRootfs rootfs;

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

    protected static ShimScenario begin(ShimUnderTest shim) {
        return ShimScenario.begin(containerd, rootfs, shim);
    }
}
