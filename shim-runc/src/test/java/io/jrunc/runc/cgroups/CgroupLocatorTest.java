package io.jrunc.runc.cgroups;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupLocatorTest {
    @TempDir
    Path dir;

    @Test
    void modeIsV2OnlyWhenTheRootIsTheUnifiedHierarchy() {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.dir("memory");
        tree.file("unified/cgroup.controllers", "cpu memory\n"); // hybrid: cgroup2 below the root
        assertEquals(CgroupMode.V1, CgroupMode.detect(tree.root));

        tree.file("cgroup.controllers", "cpu memory\n");
        assertEquals(CgroupMode.V2, CgroupMode.detect(tree.root));
    }

    @Test
    void v1ControllersMapToTheirHierarchiesAndNamedOnesAreSkipped() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.v1Container();
        tree.procCgroup(42, FakeCgroupTree.V1_PROC_CGROUP);

        Cgroup.V1 cgroup = assertInstanceOf(Cgroup.V1.class, tree.locator(CgroupMode.V1).locate(42));

        assertEquals(tree.root.resolve("memory/ns/c1"), cgroup.dir("memory").orElseThrow());
        assertEquals(tree.root.resolve("cpuacct/ns/c1"), cgroup.dir("cpuacct").orElseThrow());
        assertEquals(tree.root.resolve("pids/ns/c1"), cgroup.dir("pids").orElseThrow());
        assertTrue(cgroup.dir("name=systemd").isEmpty(), cgroup::toString);
        assertTrue(cgroup.dir("systemd").isEmpty(), cgroup::toString);
        assertTrue(cgroup.exists());
        assertEquals(cgroup.dir("memory"), cgroup.memoryDir());
    }

    @Test
    void coMountedV1ControllersAreFoundUnderEachName() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.dir("cpu,cpuacct/ns/c1");
        tree.dir("cpu/ns/c1");
        tree.dir("cpuacct/ns/c1");
        tree.procCgroup(7, "2:cpu,cpuacct:/ns/c1\n0::/ns/c1\n");

        Cgroup.V1 cgroup = (Cgroup.V1) tree.locator(CgroupMode.V1).locate(7);

        assertEquals(tree.root.resolve("cpu/ns/c1"), cgroup.dir("cpu").orElseThrow());
        assertEquals(tree.root.resolve("cpuacct/ns/c1"), cgroup.dir("cpuacct").orElseThrow());
        assertTrue(cgroup.memoryDir().isEmpty());
    }

    @Test
    void v1ControllersNotMountedAreLeftOut() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.dir("memory/ns/c1");
        tree.procCgroup(7, "4:memory:/ns/c1\n3:rdma:/\n");

        Cgroup.V1 cgroup = (Cgroup.V1) tree.locator(CgroupMode.V1).locate(7);

        assertEquals(List.of("memory"), List.copyOf(cgroup.controllers().keySet()));
    }

    @Test
    void v2UsesTheZeroLineUnderTheRoot() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.v2Container();
        tree.procCgroup(9, "0::/ns/c1\n");

        Cgroup.V2 cgroup = assertInstanceOf(Cgroup.V2.class, tree.locator(CgroupMode.V2).locate(9));

        assertEquals(tree.root.resolve("ns/c1"), cgroup.dir());
        assertTrue(cgroup.exists());
    }

    @Test
    void rootCgroupPathIsTheHierarchyItself() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.file("cgroup.controllers", "memory\n");
        tree.procCgroup(1, "0::/\n");

        assertEquals(tree.root, ((Cgroup.V2) tree.locator(CgroupMode.V2).locate(1)).dir());
    }

    @Test
    void aGoneProcessIsNoSuchFile() {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.dir("memory");

        assertThrows(NoSuchFileException.class, () -> tree.locator(CgroupMode.V1).locate(12345));
    }

    @Test
    void aFileWithoutTheModesEntryIsAnError() {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.dir("memory");
        tree.procCgroup(5, "4:memory:/ns/c1\n");
        tree.procCgroup(6, "0::/ns/c1\n");
        tree.procCgroup(8, "garbage\n");

        IOException v2 = assertThrows(IOException.class, () -> tree.locator(CgroupMode.V2).locate(5));
        assertTrue(v2.getMessage().contains("0::"), v2.getMessage());
        IOException v1 = assertThrows(IOException.class, () -> tree.locator(CgroupMode.V1).locate(6));
        assertTrue(v1.getMessage().contains("no cgroup v1 controller"), v1.getMessage());
        IOException malformed = assertThrows(IOException.class, () -> tree.locator(CgroupMode.V1).locate(8));
        assertTrue(malformed.getMessage().contains("invalid cgroup entry \"garbage\""), malformed.getMessage());
    }

    @Test
    void removedCgroupNoLongerExists() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.dir("memory/ns/c1");
        tree.procCgroup(7, "4:memory:/ns/c1\n");
        Cgroup cgroup = tree.locator(CgroupMode.V1).locate(7);

        java.nio.file.Files.delete(tree.root.resolve("memory/ns/c1"));

        assertFalse(cgroup.exists());
    }

    @Test
    void theHostLocatorFindsThisProcess() throws IOException {
        Cgroup own = CgroupLocator.host().locate((int) ProcessHandle.current().pid());
        assertTrue(own.exists(), own::toString);
    }
}
