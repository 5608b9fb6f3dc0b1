package io.jrunc.runc.cgroups;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves a shim daemon into the cgroup containerd named in the runc option {@code shim_cgroup}, as the Go
 * shim's start does: cgroup v2 writes the pid to {@code <root>/<path>/cgroup.procs}; cgroup v1 (including the
 * hybrid layout, whose unified hierarchy the Go shim leaves alone) writes it to {@code <path>/cgroup.procs}
 * in every v1 hierarchy mounted under the root that containerd's cgroups library knows, and fails when the
 * path is missing from one of them, as {@code cgroups.Load(V1, StaticPath(path))} does.
 *
 * @param inUserNamespace the devices hierarchy is skipped there (containerd's cgroups library does the same)
 */
public record ShimCgroup(CgroupMode mode, Path root, boolean inUserNamespace) {
    /** The v1 hierarchies containerd's cgroups library loads, named as their directories under the root. */
    static final List<String> V1_HIERARCHIES = List.of("systemd", "freezer", "pids", "net_cls", "net_prio",
            "perf_event", "cpuset", "cpu", "cpuacct", "memory", "blkio", "rdma", "devices", "hugetlb");

    /** The host's: /sys/fs/cgroup, mode detected. */
    public static ShimCgroup host() {
        return new ShimCgroup(CgroupMode.detect(CgroupLocator.HOST_ROOT), CgroupLocator.HOST_ROOT,
                runningInUserNamespace());
    }

    /** Moves process {@code pid} (all its threads) into cgroup {@code path}. */
    public void join(String path, int pid) throws IOException {
        List<Path> dirs = mode == CgroupMode.V2 ? List.of(v2Dir(path)) : v1Dirs(path);
        for (Path dir : dirs) {
            try {
                Files.writeString(dir.resolve("cgroup.procs"), Integer.toString(pid), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IOException("failed to join cgroup " + path + ": cannot write pid " + pid + " to "
                        + dir.resolve("cgroup.procs") + ": " + e.getMessage(), e);
            }
        }
    }

    private Path v2Dir(String path) throws IOException {
        if (!path.startsWith("/")) {
            throw new IOException("failed to load cgroup " + path + ": a cgroup v2 path must start with /");
        }
        return under(root, path);
    }

    /** The cgroup's directory in each mounted hierarchy; each must exist. */
    private List<Path> v1Dirs(String path) throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (String name : V1_HIERARCHIES) {
            Path hierarchy = root.resolve(name);
            if (!Files.isDirectory(hierarchy) || name.equals("devices") && inUserNamespace) {
                continue;
            }
            Path dir = under(hierarchy, path);
            if (!Files.isDirectory(dir)) {
                throw new IOException("failed to load cgroup " + path + ": it does not exist in the " + name
                        + " hierarchy (" + dir + "); create it in every cgroup v1 hierarchy first");
            }
            dirs.add(dir);
        }
        if (dirs.isEmpty()) {
            throw new IOException("failed to load cgroup " + path + ": no cgroup v1 hierarchy is mounted under " + root);
        }
        return dirs;
    }

    /** {@code path} under {@code hierarchy}, cleaned; a leading ".." stays at the top (never leaves it). */
    private static Path under(Path hierarchy, String path) {
        String inside = Path.of("/").resolve(path).normalize().toString().substring(1);
        return inside.isEmpty() ? hierarchy : hierarchy.resolve(inside);
    }

    /** As runc's userns.RunningInUserNS: a uid_map other than the full identity map. */
    static boolean runningInUserNamespace() {
        try {
            String[] map = Files.readString(Path.of("/proc/self/uid_map")).trim().split("\\s+");
            return !(map.length == 3 && map[0].equals("0") && map[1].equals("0") && map[2].equals("4294967295"));
        } catch (IOException e) {
            return false;
        }
    }
}
