package io.jrunc.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cgroup directories of a namespace. ctr puts a container in cgroup "/&lt;ns&gt;/&lt;id&gt;" (in every v1
 * hierarchy, or once under cgroup v2); runc removes the container's directory on delete but nobody
 * removes the "/&lt;ns&gt;" parent, so the harness does.
 */
public final class Cgroups {
    private Cgroups() {
    }

    /** Mount points of every cgroup (v1) and cgroup2 filesystem. */
    public static List<Path> hierarchies() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(line -> line.contains(" - cgroup ") || line.contains(" - cgroup2 "))
                    .map(line -> Path.of(line.split(" ")[4]))
                    .distinct()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Container cgroup directories /&lt;hierarchy&gt;/&lt;ns&gt;/&lt;id&gt; that exist now. */
    public static List<Path> ofContainer(String namespace, String id) {
        return hierarchies().stream().map(h -> h.resolve(namespace).resolve(id)).filter(Files::isDirectory).toList();
    }

    /**
     * Removes the namespace's cgroup directories (children first). rmdir only succeeds on cgroups
     * without processes, so a still-running container is never disturbed; what could not be
     * removed is returned.
     */
    public static List<Path> removeNamespace(String namespace) {
        List<Path> kept = new ArrayList<>();
        for (Path h : hierarchies()) {
            Path nsDir = h.resolve(namespace);
            if (!Files.isDirectory(nsDir)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(nsDir, Files::isDirectory)) {
                for (Path child : children) {
                    rmdir(child, kept);
                }
            } catch (IOException e) {
                kept.add(nsDir);
                continue;
            }
            rmdir(nsDir, kept);
        }
        return kept;
    }

    private static void rmdir(Path dir, List<Path> kept) {
        try {
            Files.delete(dir);
        } catch (NoSuchFileException e) {
            // co-mounted hierarchies (e.g. cpu,cpuacct) share the directory
        } catch (DirectoryNotEmptyException e) {
            kept.add(dir);
        } catch (IOException e) {
            kept.add(dir); // EBUSY: processes still in it
        }
    }
}
