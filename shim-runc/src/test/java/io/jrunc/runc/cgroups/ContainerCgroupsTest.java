package io.jrunc.runc.cgroups;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import io.jrunc.proto.cgroups.v1.Metrics;
import io.jrunc.runc.testsupport.Natives;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import io.jrunc.shim.typeurl.TypeUrls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ContainerCgroupsTest {
    @TempDir
    Path dir;

    private final OomRecorder ooms = new OomRecorder();

    private ContainerCgroups cgroups(FakeCgroupTree tree, CgroupMode mode) {
        return new ContainerCgroups(tree.locator(mode), Natives::posix, ooms);
    }

    private static void assertCgroupDoesNotExist(ContainerCgroups cgroups, String id) {
        ShimException e = assertThrows(ShimException.class, () -> cgroups.stats(id));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertEquals("cgroup does not exist: not found", e.getMessage());
    }

    @Test
    void v1StatsAreV1MetricsUnderTheBareTypeUrl() throws Exception {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.v1Container();
        tree.procCgroup(42, FakeCgroupTree.V1_PROC_CGROUP);
        ContainerCgroups cgroups = cgroups(tree, CgroupMode.V1);
        cgroups.track("c1", 42);

        Any stats = cgroups.stats("c1");

        assertEquals("io.containerd.cgroups.v1.Metrics", stats.getTypeUrl());
        Metrics metrics = TypeUrls.unpack(stats, Metrics.getDefaultInstance());
        assertEquals(475136, metrics.getMemory().getUsage().getUsage());
        assertEquals(9597743, metrics.getCpu().getUsage().getTotal());
        assertEquals(3, metrics.getPids().getCurrent());
        cgroups.forget("c1");
    }

    @Test
    void v2StatsAreV2MetricsUnderTheBareTypeUrl() throws Exception {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.v2Container();
        tree.procCgroup(9, "0::/ns/c1\n");
        ContainerCgroups cgroups = cgroups(tree, CgroupMode.V2);
        cgroups.track("c1", 9);

        Any stats = cgroups.stats("c1");

        assertEquals("io.containerd.cgroups.v2.Metrics", stats.getTypeUrl());
        io.jrunc.proto.cgroups.v2.Metrics metrics = TypeUrls.unpack(stats, io.jrunc.proto.cgroups.v2.Metrics.getDefaultInstance());
        assertEquals(1200000, metrics.getMemory().getUsage());
        assertEquals(1500, metrics.getCpu().getUsageUsec());
        cgroups.forget("c1");
    }

    @Test
    void v2TrackingEnablesTheRootControllersInTheAncestors() {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.v2Container();
        tree.procCgroup(9, "0::/ns/c1\n");
        ContainerCgroups cgroups = cgroups(tree, CgroupMode.V2);

        cgroups.track("c1", 9);

        assertTrue(Files.exists(tree.root.resolve("ns/cgroup.subtree_control")));
        cgroups.forget("c1");
    }

    @Test
    void aContainerNeverTrackedHasNoCgroup() {
        assertCgroupDoesNotExist(cgroups(new FakeCgroupTree(dir), CgroupMode.V1), "c1");
    }

    @Test
    void aProcessGoneBeforeTrackingLeavesNoCgroupAndDoesNotThrow() {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.v1Container();
        ContainerCgroups cgroups = cgroups(tree, CgroupMode.V1);

        cgroups.track("c1", 999999);

        assertTrue(cgroups.cgroupOf("c1").isEmpty());
        assertCgroupDoesNotExist(cgroups, "c1");
    }

    @Test
    void aRemovedCgroupIsNotFound() throws Exception {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.v2Container();
        tree.procCgroup(9, "0::/ns/c1\n");
        ContainerCgroups cgroups = cgroups(tree, CgroupMode.V2);
        cgroups.track("c1", 9);

        try (Stream<Path> files = Files.list(tree.root.resolve("ns/c1"))) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(tree.root.resolve("ns/c1"));

        assertCgroupDoesNotExist(cgroups, "c1");
        cgroups.forget("c1");
    }

    @Test
    void forgottenContainersHaveNoCgroup() {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.v1Container();
        tree.procCgroup(42, FakeCgroupTree.V1_PROC_CGROUP);
        ContainerCgroups cgroups = cgroups(tree, CgroupMode.V1);
        cgroups.track("c1", 42);

        cgroups.forget("c1");

        assertCgroupDoesNotExist(cgroups, "c1");
    }

    @Test
    void anOomSeenAtExitIsPublishedBeforeTheExitCall() throws Exception {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.v2Container();
        tree.file("ns/c1/memory.events", "oom 0\noom_kill 0\n");
        tree.procCgroup(9, "0::/ns/c1\n");
        ContainerCgroups cgroups = cgroups(tree, CgroupMode.V2);
        cgroups.track("c1", 9);

        tree.file("ns/c1/memory.events", "oom 1\noom_kill 1\n");
        cgroups.beforeExit("c1");

        assertEquals(List.of("c1"), ooms.ids());
        Thread.sleep(300);
        assertEquals(List.of("c1"), ooms.ids(), "the watcher thread does not report it again");
        cgroups.forget("c1");
    }

    @Test
    void theHostCgroupOfThisProcessGivesMetricsOfTheHostsMode() throws Exception {
        ContainerCgroups host = new ContainerCgroups(CgroupLocator.host(), Natives::posix, ooms);
        host.track("self", (int) ProcessHandle.current().pid());
        try {
            Any stats = host.stats("self");
            String expected = CgroupMode.detect(CgroupLocator.HOST_ROOT) == CgroupMode.V2
                    ? "io.containerd.cgroups.v2.Metrics" : "io.containerd.cgroups.v1.Metrics";
            assertEquals(expected, stats.getTypeUrl());
            assertFalse(stats.getValue().isEmpty());
        } finally {
            host.forget("self");
        }
    }
}
