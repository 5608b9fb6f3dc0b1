package io.jrunc.runc;

import io.jrunc.posix.Posix;
import io.jrunc.runc.cgroups.CgroupLocator;
import io.jrunc.runc.cgroups.CgroupMode;
import io.jrunc.runc.cli.RuncConfig;
import io.jrunc.shim.host.HostProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the runc runtime needs from the host: runc itself, the kernel calls its stdio copying and OOM
 * watching make, a cgroup hierarchy, and the capability to mount container root filesystems.
 */
final class RuncHostProbes {
    /** CAP_SYS_ADMIN's bit in /proc/self/status CapEff: mount(2) of the rootfs needs it. */
    private static final int CAP_SYS_ADMIN = 21;

    private RuncHostProbes() {}

    static List<HostProbe> of(Posix posix, Map<String, String> env, Path cgroupRoot, Path procStatus) {
        return List.of(
                new HostProbe("runc on PATH", () -> findOnPath(RuncConfig.DEFAULT_BINARY, env.getOrDefault("PATH", "")).toString()),
                new HostProbe("splice(2) between pipes (container stdout and stderr are copied with it)",
                        () -> spliceOneByte(posix)),
                new HostProbe("eventfd(2) and inotify(7) (OOM events of cgroup v1 and v2)", () -> {
                    posix.close(posix.eventfd(0, 0));
                    posix.close(posix.inotifyInit());
                    return "available";
                }),
                new HostProbe("a cgroup hierarchy at " + cgroupRoot, () -> cgroupHierarchy(cgroupRoot)),
                new HostProbe("CAP_SYS_ADMIN (mounting container root filesystems)", () -> capSysAdmin(procStatus)));
    }

    static Path findOnPath(String binary, String path) throws HostProbe.Missing {
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new HostProbe.Missing("no executable " + binary + " in PATH=" + path
                + ": install runc (apt-get install runc) or put it on containerd's PATH");
    }

    private static String spliceOneByte(Posix posix) throws Exception {
        int[] from = posix.pipe();
        int[] to = posix.pipe();
        try {
            posix.write(from[1], new byte[] {'x'}, 0, 1);
            long moved = posix.splice(from[0], to[1], 1, 0);
            if (moved != 1) {
                throw new HostProbe.Missing("splice moved " + moved + " bytes instead of 1");
            }
            return "works";
        } finally {
            for (int fd : new int[] {from[0], from[1], to[0], to[1]}) {
                posix.close(fd);
            }
        }
    }

    private static String cgroupHierarchy(Path root) throws HostProbe.Missing {
        CgroupMode mode = CgroupMode.detect(root);
        if (mode == CgroupMode.V2) {
            return "cgroup v2 (unified)";
        }
        if (Files.isDirectory(root.resolve("memory")) && Files.isDirectory(root.resolve("pids"))) {
            return Files.isRegularFile(root.resolve("unified/cgroup.controllers"))
                    ? "cgroup v1 with v2 mounted at " + root.resolve("unified") : "cgroup v1";
        }
        throw new HostProbe.Missing("neither cgroup v2 (" + root.resolve("cgroup.controllers")
                + ") nor cgroup v1 controllers (" + root.resolve("memory") + ") are mounted");
    }

    private static String capSysAdmin(Path procStatus) throws IOException, HostProbe.Missing {
        for (String line : Files.readAllLines(procStatus, StandardCharsets.US_ASCII)) {
            if (line.startsWith("CapEff:")) {
                long effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                if ((effective & (1L << CAP_SYS_ADMIN)) == 0) {
                    throw new HostProbe.Missing("the shim runs without it (CapEff " + Long.toHexString(effective)
                            + "): run containerd as root with its full capability set");
                }
                return "effective";
            }
        }
        throw new HostProbe.Missing(procStatus + " has no CapEff line");
    }

    /** The host's probes as the daemon runs them. */
    static List<HostProbe> host(Posix posix) {
        return of(posix, System.getenv(), CgroupLocator.HOST_ROOT, Path.of("/proc/self/status"));
    }
}
