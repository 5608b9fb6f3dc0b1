package io.jrunc.runc.cgroups;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a shim daemon's pid is written, on fake hierarchies (the kernel's side is in ShimCgroupIT). */
class ShimCgroupTest {
    @TempDir
    Path tmp;

    @Test
    void v1WritesThePidInEveryMountedHierarchyButUnified() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(tmp);
        for (String h : new String[] {"systemd", "memory", "cpu", "cpuacct", "pids", "devices", "unified"}) {
            tree.dir(h + "/shims/a");
        }
        new ShimCgroup(CgroupMode.V1, tree.root, false).join("/shims/a", 4242);
        for (String h : new String[] {"systemd", "memory", "cpu", "cpuacct", "pids", "devices"}) {
            assertEquals("4242", Files.readString(tree.root.resolve(h + "/shims/a/cgroup.procs")), h);
        }
        assertFalse(Files.exists(tree.root.resolve("unified/shims/a/cgroup.procs")), "the Go shim leaves unified alone");
    }

    @Test
    void v1SkipsDevicesInAUserNamespace() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(tmp);
        tree.dir("memory/s");
        tree.dir("devices");
        new ShimCgroup(CgroupMode.V1, tree.root, true).join("/s", 1);
        assertEquals("1", Files.readString(tree.root.resolve("memory/s/cgroup.procs")));
    }

    @Test
    void v1RefusesACgroupMissingFromOneHierarchy() {
        FakeCgroupTree tree = new FakeCgroupTree(tmp);
        tree.dir("memory/shims/a");
        tree.dir("pids");
        IOException e = assertThrows(IOException.class,
                () -> new ShimCgroup(CgroupMode.V1, tree.root, false).join("/shims/a", 7));
        assertTrue(e.getMessage().startsWith("failed to load cgroup /shims/a: it does not exist in the pids hierarchy"),
                e.getMessage());
        assertFalse(Files.exists(tree.root.resolve("memory/shims/a/cgroup.procs")), "nothing moved half-way");
    }

    @Test
    void v1TakesARelativePathAsGoStaticPathDoes() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(tmp);
        tree.dir("memory/shims");
        new ShimCgroup(CgroupMode.V1, tree.root, false).join("shims/../shims/", 9);
        assertEquals("9", Files.readString(tree.root.resolve("memory/shims/cgroup.procs")));
    }

    @Test
    void v2WritesTheUnifiedDirectory() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(tmp);
        tree.dir("shims/a");
        new ShimCgroup(CgroupMode.V2, tree.root, false).join("/shims/a", 11);
        assertEquals("11", Files.readString(tree.root.resolve("shims/a/cgroup.procs")));
    }

    @Test
    void v2NeedsAnAbsolutePathAndAnExistingCgroup() {
        FakeCgroupTree tree = new FakeCgroupTree(tmp);
        tree.dir("x");
        ShimCgroup v2 = new ShimCgroup(CgroupMode.V2, tree.root, false);
        assertTrue(assertThrows(IOException.class, () -> v2.join("shims", 1)).getMessage()
                .contains("a cgroup v2 path must start with /"));
        assertTrue(assertThrows(IOException.class, () -> v2.join("/missing", 1)).getMessage()
                .startsWith("failed to join cgroup /missing: cannot write pid 1 to "));
    }

    @Test
    void dotDotNeverLeavesTheHierarchy() throws IOException {
        FakeCgroupTree tree = new FakeCgroupTree(tmp);
        tree.dir("x");
        new ShimCgroup(CgroupMode.V2, tree.root, false).join("/../../x", 3);
        assertEquals("3", Files.readString(tree.root.resolve("x/cgroup.procs")));
    }
}
