package io.jrunc.runc.cgroups;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class V2ControllersTest {
    @TempDir
    Path dir;

    @Test
    void everyAncestorButTheCgroupItselfGetsTheRootControllers() throws Exception {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.file("cgroup.controllers", "cpu memory pids\n");
        Path cgroup = tree.dir("pod/ns/c1");

        List<String> failures = V2Controllers.enableDownTo(tree.root, cgroup);

        assertEquals(List.of(), failures);
        for (String ancestor : new String[] {"", "pod", "pod/ns"}) {
            assertEquals("+cpu +memory +pids", Files.readString(tree.root.resolve(ancestor).resolve("cgroup.subtree_control")), ancestor);
        }
        assertFalse(Files.exists(cgroup.resolve("cgroup.subtree_control")));
    }

    @Test
    void failuresAreReportedNotThrown() {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        tree.file("cgroup.controllers", "memory\n");
        tree.dir("ns/c1");
        tree.dir("ns/cgroup.subtree_control"); // a directory: the write fails

        List<String> failures = V2Controllers.enableDownTo(tree.root, tree.root.resolve("ns/c1"));

        assertEquals(1, failures.size(), failures::toString);
        assertTrue(failures.get(0).contains(tree.root.resolve("ns").toString()), failures::toString);
    }

    @Test
    void noRootControllersFileIsOneFailure() {
        FakeCgroupTree tree = new FakeCgroupTree(dir);
        assertEquals(1, V2Controllers.enableDownTo(tree.root, tree.dir("ns/c1")).size());
    }
}
