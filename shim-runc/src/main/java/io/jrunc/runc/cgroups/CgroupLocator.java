package io.jrunc.runc.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the cgroup of a process from {@code <proc>/<pid>/cgroup}, as the Go shim does for a container's init:
 * v1 {@code N:memory:/ns/id} means {@code <root>/memory/ns/id}; v2 {@code 0::/ns/id} means {@code <root>/ns/id}.
 * Root and proc are parameters so tests can use a fake tree.
 */
public record CgroupLocator(CgroupMode mode, Path root, Path proc) {
    public static final Path HOST_ROOT = Path.of("/sys/fs/cgroup");
    public static final Path HOST_PROC = Path.of("/proc");

    /** The host's layout: /sys/fs/cgroup, /proc, mode detected from the root. */
    public static CgroupLocator host() {
        return new CgroupLocator(CgroupMode.detect(HOST_ROOT), HOST_ROOT, HOST_PROC);
    }

    /**
     * The cgroup of {@code pid}.
     *
     * @throws IOException when the process is gone ({@link java.nio.file.NoSuchFileException}) or its cgroup
     *     file names no cgroup of this mode
     */
    public Cgroup locate(int pid) throws IOException {
        Path file = proc.resolve(Integer.toString(pid)).resolve("cgroup");
        ProcCgroupFile parsed;
        try {
            parsed = ProcCgroupFile.parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        return switch (mode) {
            case V2 -> new Cgroup.V2(under(root, parsed.unifiedPath()
                    .orElseThrow(() -> new IOException(file + " names no cgroup v2 path (0::/...)"))));
            case V1 -> v1(parsed, file);
        };
    }

    private Cgroup.V1 v1(ProcCgroupFile parsed, Path file) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (ProcCgroupFile.Line line : parsed.lines()) {
            for (String controller : line.controllers()) {
                // Named hierarchies (name=systemd) hold no resources; a controller not mounted here is skipped.
                if (!controller.startsWith("name=") && Files.isDirectory(root.resolve(controller))) {
                    dirs.put(controller, under(root.resolve(controller), line.path()));
                }
            }
        }
        if (dirs.isEmpty()) {
            throw new IOException(file + " names no cgroup v1 controller mounted under " + root);
        }
        return new Cgroup.V1(dirs);
    }

    private static Path under(Path hierarchy, String cgroupPath) {
        String relative = cgroupPath.replaceFirst("^/+", "");
        return relative.isEmpty() ? hierarchy : hierarchy.resolve(relative);
    }
}
