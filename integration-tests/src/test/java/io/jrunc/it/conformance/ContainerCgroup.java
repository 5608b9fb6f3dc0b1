package io.jrunc.it.conformance;

import io.jrunc.it.harness.Cgroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Files of a container's cgroup ({@code /<namespace>/<id>}, cgroup v1 or v2) that scenarios read. */
final class ContainerCgroup {
    private ContainerCgroup() {
    }

    /** The first of {@code names} that exists in one of the container's cgroup dirs. */
    static Path file(CellRun run, String id, String... names) {
        List<Path> dirs = Cgroups.ofContainer(run.namespace(), id);
        for (Path dir : dirs) {
            for (String name : names) {
                if (Files.exists(dir.resolve(name))) {
                    return dir.resolve(name);
                }
            }
        }
        throw new AssertionError("none of " + List.of(names) + " in the cgroup dirs of " + run.namespace() + "/" + id + ": " + dirs);
    }

    static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
