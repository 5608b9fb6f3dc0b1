package io.jrunc.it.foundation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.Cgroups;
import io.jrunc.it.harness.ContainerdClient;
import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.Leftovers;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.ShimUnderTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The harness checks itself: the leftover detector must see what a running container holds, and a
 * crashed-and-restarted containerd must come back and find its running shims again.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HarnessIT {
    private static PrivateContainerd containerd;
    private static BusyboxRootfs rootfs;

    @BeforeAll
    static void setUp() {
        rootfs = BusyboxRootfs.create();
        containerd = PrivateContainerd.start();
    }

    @AfterAll
    static void tearDown() {
        if (containerd != null) {
            containerd.close();
        }
        if (rootfs != null) {
            rootfs.close();
        }
    }

    @Test
    void leftoversReportARunningContainerAndNothingOnceItIsRemoved() {
        String ns = containerd.newNamespace();
        String id = "leftover-probe";
        Leftovers leftovers = Leftovers.snapshot(containerd, ns, rootfs.path());
        Ctr ctr = containerd.ctr(ns);
        try {
            ctr.ok("run", "-d", "--null-io", "--runtime", ShimUnderTest.GO.runtime(),
                    "--rootfs", rootfs.path().toString(), id, "/bin/sleep", "300");

            List<String> found = leftovers.find(id);
            String all = String.join("\n", found);
            assertTrue(all.contains(ShimUnderTest.GO.binaryName()), "shim process reported:\n" + all);
            assertTrue(all.contains("/bin/sleep 300"), "container process reported:\n" + all);
            assertTrue(all.contains("shim socket"), "shim socket reported:\n" + all);
            assertTrue(all.contains("runc state"), "runc state reported:\n" + all);
            assertTrue(all.contains("bundle"), "bundle reported:\n" + all);
        } finally {
            stopAndDelete(ctr, id);
        }
        leftovers.assertNone(Duration.ofSeconds(15), id);
    }

    @Test
    void containerdComesBackAfterKill9AndStillSeesItsTask() {
        String ns = containerd.newNamespace();
        String id = "survivor";
        Leftovers leftovers = Leftovers.snapshot(containerd, ns, rootfs.path());
        Ctr ctr = containerd.ctr(ns);
        try {
            ctr.ok("run", "-d", "--null-io", "--runtime", ShimUnderTest.GO.runtime(),
                    "--rootfs", rootfs.path().toString(), id, "/bin/sleep", "300");
            long taskPid = ctr.task(id).orElseThrow().pid();
            long before = containerd.pid();

            containerd.kill9();
            containerd.restart();

            assertNotEquals(before, containerd.pid());
            try (ContainerdClient client = containerd.client(ns)) {
                assertTrue(!client.version().version(Empty.getDefaultInstance()).getVersion().isEmpty());
            }
            Ctr.TaskRow row = ctr.task(id).orElseThrow(() -> new AssertionError("task lost over the restart"));
            assertEquals(taskPid, row.pid());
            assertEquals("RUNNING", row.status());
        } finally {
            stopAndDelete(ctr, id);
        }
        leftovers.assertNone(Duration.ofSeconds(15), id);
    }

    @Test
    void closingTheDaemonRemovesWhatALeakyTestLeftBehind() {
        PrivateContainerd leaky = PrivateContainerd.start();
        String ns = leaky.newNamespace();
        String id = "leaked";
        Leftovers leftovers = Leftovers.snapshot(leaky, ns, rootfs.path());
        try {
            leaky.ctr(ns).ok("run", "-d", "--null-io", "--runtime", ShimUnderTest.GO.runtime(),
                    "--rootfs", rootfs.path().toString(), id, "/bin/sleep", "300");
            assertTrue(!leftovers.find(id).isEmpty(), "the container is running");
        } finally {
            leaky.close();
        }
        leftovers.assertNone(Duration.ofSeconds(15), id);
        assertTrue(!java.nio.file.Files.exists(leaky.dir()), "temp dir removed: " + leaky.dir());
        assertTrue(!java.nio.file.Files.exists(PrivateContainerd.RUNC_ROOT.resolve(ns)), "runc root of " + ns + " removed");
        for (java.nio.file.Path h : Cgroups.hierarchies()) {
            assertTrue(!java.nio.file.Files.exists(h.resolve(ns)), "cgroup " + h.resolve(ns) + " removed");
        }
    }

    private static void stopAndDelete(Ctr ctr, String id) {
        if (ctr.task(id).isPresent()) {
            ctr.run("task", "kill", "-s", "SIGKILL", id);
            Poll.require(Duration.ofSeconds(20), () -> ctr.task(id).map(t -> t.status().equals("STOPPED")).orElse(true),
                    () -> "task " + id + " to stop");
            ctr.ok("task", "delete", id);
        }
        ctr.run("container", "delete", id);
    }
}
