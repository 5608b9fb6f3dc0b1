package io.jrunc.runc.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the Go shim does for a v2 container before watching it: enable every controller of the root in
 * {@code cgroup.subtree_control} of each ancestor of the container's cgroup (not the cgroup itself), so its
 * {@code memory.*}, {@code pids.*} and {@code cpu.*} files exist. Best effort: failures are returned for
 * logging, never thrown.
 */
final class V2Controllers {
    private V2Controllers() {}

    /** Returns one description per ancestor that refused the write. */
    static List<String> enableDownTo(Path root, Path cgroup) {
        List<String> failures = new ArrayList<>();
        String controllers;
        try {
            controllers = Files.readString(root.resolve("cgroup.controllers")).strip();
        } catch (IOException e) {
            failures.add("cannot read root controllers: " + e);
            return failures;
        }
        if (controllers.isEmpty() || !cgroup.startsWith(root) || cgroup.equals(root)) {
            return failures;
        }
        String enable = List.of(controllers.split("\\s+")).stream().map(c -> "+" + c).collect(Collectors.joining(" "));
        Path ancestor = root;
        for (Path name : root.relativize(cgroup)) { // writes root, root/a, ... up to the parent
            try {
                Files.writeString(ancestor.resolve("cgroup.subtree_control"), enable);
            } catch (IOException e) {
                failures.add("failed to enable controllers (" + controllers + ") in " + ancestor + ": " + e.getMessage());
            }
            ancestor = ancestor.resolve(name);
        }
        return failures;
    }
}
