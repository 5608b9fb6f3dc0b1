package io.jrunc.runc.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which cgroup API the host gives containers. Decided as runc and containerd do: the root is a cgroup2
 * filesystem (it then has {@code cgroup.controllers}) means {@link #V2}; anything else, including the
 * hybrid layout with cgroup2 at {@code <root>/unified}, means {@link #V1}, whose controllers hold the limits.
 */
public enum CgroupMode {
    V1,
    V2;

    /** The mode of the hierarchy mounted at {@code root} (normally /sys/fs/cgroup). */
    public static CgroupMode detect(Path root) {
        return Files.isRegularFile(root.resolve("cgroup.controllers")) ? V2 : V1;
    }
}
