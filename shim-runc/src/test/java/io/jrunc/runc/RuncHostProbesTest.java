package io.jrunc.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.posix.JnrPosix;
import io.jrunc.shim.host.HostProbe;
import io.jrunc.shim.host.HostRequirement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuncHostProbesTest {
    @TempDir
    Path dir;

    private List<HostRequirement> probe(String path, Path cgroupRoot, String capEff) throws IOException {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t" + capEff + "\n");
        return HostProbe.runAll(RuncHostProbes.of(JnrPosix.instance(), Map.of("PATH", path), cgroupRoot, status));
    }

    private Path executable(String name) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path file = Files.writeString(bin.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private static HostRequirement named(List<HostRequirement> results, String prefix) {
        return results.stream().filter(r -> r.name().startsWith(prefix)).findFirst().orElseThrow();
    }

    @Test
    void aHostWithEverythingMeetsEveryRequirement() throws IOException {
        Path runc = executable("runc");
        Path cgroups = Files.createDirectories(dir.resolve("cg"));
        Files.writeString(cgroups.resolve("cgroup.controllers"), "memory pids\n");
        List<HostRequirement> results = probe("/nonexistent:" + runc.getParent(), cgroups, "000001ffffffffff");
        assertTrue(results.stream().allMatch(HostRequirement::met), results.toString());
        assertEquals(runc.toString(), named(results, "runc on PATH").detail());
        assertEquals("cgroup v2 (unified)", named(results, "a cgroup hierarchy").detail());
        assertEquals("works", named(results, "splice(2)").detail(), "the real kernel's splice between pipes");
    }

    @Test
    void eachMissingPieceIsNamedWithWhatToDo() throws IOException {
        Path notExecutable = Files.writeString(Files.createDirectories(dir.resolve("nx")).resolve("runc"), "");
        Path noCgroups = Files.createDirectories(dir.resolve("empty"));
        List<HostRequirement> results = probe(notExecutable.getParent().toString(), noCgroups, "0000000000000000");

        HostRequirement runc = named(results, "runc on PATH");
        assertFalse(runc.met());
        assertTrue(runc.detail().contains("no executable runc in PATH=" + notExecutable.getParent()), runc.detail());
        assertTrue(runc.detail().contains("apt-get install runc"), runc.detail());

        HostRequirement cgroups = named(results, "a cgroup hierarchy");
        assertFalse(cgroups.met());
        assertTrue(cgroups.detail().contains("neither cgroup v2"), cgroups.detail());

        HostRequirement cap = named(results, "CAP_SYS_ADMIN");
        assertFalse(cap.met());
        assertTrue(cap.detail().contains("CapEff 0"), cap.detail());
    }

    @Test
    void cgroupV1WithTheUnifiedMountIsRecognised() throws IOException {
        Path root = dir.resolve("v1");
        Files.createDirectories(root.resolve("memory"));
        Files.createDirectories(root.resolve("pids"));
        Files.createDirectories(root.resolve("unified"));
        Files.writeString(root.resolve("unified/cgroup.controllers"), "");
        HostRequirement cgroups = named(probe("", root, "ffffffffff"), "a cgroup hierarchy");
        assertTrue(cgroups.met());
        assertEquals("cgroup v1 with v2 mounted at " + root.resolve("unified"), cgroups.detail());
    }
}
