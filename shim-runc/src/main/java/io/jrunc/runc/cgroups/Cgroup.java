package io.jrunc.runc.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** A container's cgroup: one directory per controller (v1) or one directory (v2). */
public sealed interface Cgroup {

    /** Whether the cgroup is still there (runc removes it on delete). */
    boolean exists();

    /** Where {@code memory.*} lives, if the memory controller is available. */
    Optional<Path> memoryDir();

    /**
     * cgroup v1: the container's directory in each controller's hierarchy, by controller name ("memory",
     * "cpuacct", ...). Co-mounted controllers (cpu,cpuacct) reach the same directory under both names.
     */
    record V1(Map<String, Path> controllers) implements Cgroup {
        public V1 {
            controllers = Map.copyOf(controllers);
        }

        public Optional<Path> dir(String controller) {
            return Optional.ofNullable(controllers.get(controller));
        }

        @Override
        public boolean exists() {
            return controllers.values().stream().anyMatch(Files::isDirectory);
        }

        @Override
        public Optional<Path> memoryDir() {
            return dir("memory");
        }
    }

    /** cgroup v2: the container's directory in the unified hierarchy. */
    record V2(Path dir) implements Cgroup {
        @Override
        public boolean exists() {
            return Files.isDirectory(dir);
        }

        @Override
        public Optional<Path> memoryDir() {
            return Optional.of(dir);
        }
    }
}
