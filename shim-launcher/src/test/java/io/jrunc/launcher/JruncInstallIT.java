package io.jrunc.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/jrunc-install} of the built dist: each version in its own directory, the active one switched by
 * renaming a link, rollback by installing the old one again; bad input (a bundled Java runtime that does not
 * run here, a target that cannot be written) fails naming what is missing; a failed or interrupted install
 * leaves the previous version active.
 */
class JruncInstallIT {
    private static final Path DIST = Path.of(System.getProperty("jrunc.dist", "target/dist")).toAbsolutePath();
    private static final Path INSTALL = DIST.resolve("bin/jrunc-install");

    @TempDir
    Path tmp;

    private String version() throws IOException {
        return Files.readString(DIST.resolve("VERSION")).strip();
    }

    private Sh.Result install(Path installer, Path prefix, Map<String, String> env) {
        return Sh.run(List.of(installer.toString(), prefix.toString()), env, tmp);
    }

    private static Path active(Path prefix) throws IOException {
        return Files.readSymbolicLink(prefix.resolve("lib/jrunc"));
    }

    private void assertWorks(Path prefix) {
        Sh.Result v = Sh.run(List.of(prefix.resolve("bin/containerd-shim-jrunc-v2").toString(), "-v"), Map.of(), tmp);
        assertEquals(0, v.code(), v.describe());
        assertTrue(v.out().startsWith("jrunc runc runtime "), v.describe());
    }

    @Test
    void eachVersionInItsOwnDirectoryTheLinkSwitchedRollbackByReinstalling() throws Exception {
        Path prefix = tmp.resolve("prefix");
        Sh.Result first = install(INSTALL, prefix, Map.of());
        assertEquals(0, first.code(), first.describe());
        String v = version();
        assertEquals(Path.of("jrunc-" + v), active(prefix));
        assertEquals(prefix.resolve("lib/jrunc/bin/containerd-shim-jrunc-v2"),
                Files.readSymbolicLink(prefix.resolve("bin/containerd-shim-jrunc-v2")));
        assertWorks(prefix);

        Sh.Result second = install(INSTALL, prefix, Map.of());
        assertEquals(0, second.code(), second.describe());
        assertEquals(Path.of("jrunc-" + v + ".1"), active(prefix), "a second install of a build gets its own directory");
        assertTrue(Files.isDirectory(prefix.resolve("lib/jrunc-" + v + "/lib")), "the previous version stays for its daemons");
        assertWorks(prefix);

        Sh.Result rollback = install(prefix.resolve("lib/jrunc-" + v + "/bin/jrunc-install"), prefix, Map.of());
        assertEquals(0, rollback.code(), rollback.describe());
        assertEquals(Path.of("jrunc-" + v), active(prefix), "installing an installed version switches back to it");
        assertWorks(prefix);
    }

    @Test
    void anInstallOfTheOlderSingleDirectoryLayoutIsUpgradedAndItsFilesKeptForItsDaemons() throws Exception {
        // The older layout: the build copied to PREFIX/lib/jrunc itself, the binary linked into it.
        Path prefix = tmp.resolve("prefix");
        Path old = Files.createDirectories(prefix.resolve("lib/jrunc"));
        Sh.Result copy = Sh.run(List.of("cp", "-Rp", DIST.resolve("bin").toString(), DIST.resolve("lib").toString(),
                old.toString()), Map.of(), tmp);
        assertEquals(0, copy.code(), copy.describe());
        Files.createDirectories(prefix.resolve("bin"));
        Files.createSymbolicLink(prefix.resolve("bin/containerd-shim-jrunc-v2"), old.resolve("bin/containerd-shim-jrunc-v2"));

        Sh.Result r = install(INSTALL, prefix, Map.of());
        assertEquals(0, r.code(), r.describe());
        assertEquals(Path.of("jrunc-" + version()), active(prefix), "the new layout: lib/jrunc is a link");
        List<Path> previous;
        try (Stream<Path> s = Files.list(prefix.resolve("lib"))) {
            previous = s.filter(f -> f.getFileName().toString().startsWith("jrunc-previous.")).toList();
        }
        assertEquals(1, previous.size(), "the old directory is moved aside, not deleted: " + previous);
        assertTrue(Files.isExecutable(previous.getFirst().resolve("bin/containerd-shim-jrunc-v2")),
                "daemons started from the old directory keep their files");
        assertEquals(prefix.resolve("lib/jrunc/bin/containerd-shim-jrunc-v2"),
                Files.readSymbolicLink(prefix.resolve("bin/containerd-shim-jrunc-v2")));
        assertWorks(prefix);
    }

    @Test
    void aBundledRuntimeThatDoesNotRunIsNamedAndThePreviousVersionStaysActive() throws Exception {
        Path prefix = tmp.resolve("prefix");
        assertEquals(0, install(INSTALL, prefix, Map.of()).code());
        Path before = active(prefix);

        // A build whose Java runtime cannot execute here (as a glibc runtime on a musl system).
        Path bad = Files.createDirectories(tmp.resolve("bad"));
        Sh.run(List.of("cp", "-Rp", DIST.resolve("bin").toString(), DIST.resolve("lib").toString(), bad.toString()), Map.of(), tmp);
        Files.writeString(bad.resolve("VERSION"), "9.9.9-bad\n");
        Path java = Files.createDirectories(bad.resolve("runtime/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'java: not found (no ld-linux-x86-64.so.2)' >&2\nexit 127\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        Sh.Result r = install(bad.resolve("bin/jrunc-install"), prefix, Map.of());
        assertNotEquals(0, r.code(), r.describe());
        assertTrue(r.stderr().contains("the bundled Java runtime does not run on this machine")
                && r.stderr().contains("glibc"), r.describe());
        assertEquals(before, active(prefix), "the previous version stays active");
        assertFalse(Files.exists(prefix.resolve("lib/jrunc-9.9.9-bad")));
        assertWorks(prefix);
    }

    @Test
    void aHostWithoutCgroupsOrCapSysAdminIsRefusedNamingBothAndThePreviousVersionStaysActive() throws Exception {
        Path prefix = tmp.resolve("prefix");
        assertEquals(0, install(INSTALL, prefix, Map.of()).code());
        Path before = active(prefix);

        // A real host that lacks them: a private mount namespace whose /sys/fs/cgroup is an empty tmpfs (it ends
        // with the command), and the installer run without CAP_SYS_ADMIN.
        String lacking = "mount -t tmpfs jrunc-no-cgroups /sys/fs/cgroup && exec setpriv --inh-caps=-sys_admin"
                + " --bounding-set=-sys_admin \"$0\" \"$1\"";
        Sh.Result r = Sh.run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", lacking,
                INSTALL.toString(), prefix.toString()), Map.of(), tmp);
        assertNotEquals(0, r.code(), r.describe());
        assertTrue(r.stderr().contains("this host lacks what jrunc needs; nothing was switched"), r.describe());
        assertTrue(r.stderr().contains("MISSING  a cgroup hierarchy at /sys/fs/cgroup: neither cgroup v2"), r.describe());
        assertTrue(r.stderr().contains("MISSING  CAP_SYS_ADMIN (mounting container root filesystems)"), r.describe());
        assertTrue(r.stderr().contains("ok       splice(2) between pipes"), "the rest is still reported: " + r.describe());
        assertEquals(before, active(prefix), "the previous version stays active");
        try (Stream<Path> versions = Files.list(prefix.resolve("lib"))) {
            assertEquals(List.of(before.toString()), versions.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("jrunc-")).toList(), "the refused version's directory is removed");
        }
        assertWorks(prefix);
        Sh.Result check = Sh.run(List.of(prefix.resolve("bin/containerd-shim-jrunc-v2").toString(), "check"), Map.of(), tmp);
        assertEquals(0, check.code(), "this host itself has everything: " + check.describe());
    }

    @Test
    void aTargetThatCannotBeWrittenIsNamed() {
        Sh.Result r = install(INSTALL, Path.of("/proc/self/jrunc-prefix"), Map.of());
        assertNotEquals(0, r.code(), r.describe());
        assertTrue(r.stderr().contains("cannot create /proc/self/jrunc-prefix/bin"), r.describe());
    }

    @Test
    void anInterruptedInstallLeavesThePreviousVersionActive() throws Exception {
        Path prefix = tmp.resolve("prefix");
        assertEquals(0, install(INSTALL, prefix, Map.of()).code());
        Path before = active(prefix);

        // cp hangs (a full disk, a slow network file system): the install is killed while copying.
        Path fakeBin = Files.createDirectories(tmp.resolve("fakebin"));
        Path cp = fakeBin.resolve("cp");
        Files.writeString(cp, "#!/bin/sh\nexec sleep 600\n");
        Files.setPosixFilePermissions(cp, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder(INSTALL.toString(), prefix.toString()).directory(tmp.toFile())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("install.log").toFile());
        pb.environment().put("PATH", fakeBin + ":/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (stages(prefix).isEmpty() || p.descendants().noneMatch(d -> d.info().command().orElse("").endsWith("sleep"))) {
                assertTrue(p.isAlive(), "install ended early: " + Files.readString(tmp.resolve("install.log")));
                assertTrue(System.nanoTime() < deadline, "install never reached the copy");
                Thread.sleep(20);
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        assertEquals(before, active(prefix), "the previous version stays active");
        assertWorks(prefix);

        Sh.Result again = install(INSTALL, prefix, Map.of());
        assertEquals(0, again.code(), again.describe());
        assertEquals(List.of(), stages(prefix), "the next install removes the leftover");
    }

    private static List<Path> stages(Path prefix) throws IOException {
        try (Stream<Path> s = Files.list(prefix.resolve("lib"))) {
            return s.filter(f -> f.getFileName().toString().startsWith(".jrunc-stage.")).toList();
        }
    }
}
