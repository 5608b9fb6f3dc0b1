package io.jrunc.runc.cgroups;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The lines of {@code /proc/<pid>/cgroup}: {@code hierarchy-id:controller,controller:path}. cgroup v1
 * hierarchies name their controllers ({@code 4:memory:/ns/id}, {@code 1:name=systemd:/ns/id}); the cgroup v2
 * hierarchy is {@code 0::/ns/id}.
 */
record ProcCgroupFile(List<Line> lines) {

    record Line(String hierarchyId, List<String> controllers, String path) {}

    /** Parses the file's text; malformed lines fail with IllegalArgumentException naming them. */
    static ProcCgroupFile parse(String text) {
        List<Line> lines = new ArrayList<>();
        for (String raw : text.split("\n")) {
            if (raw.isBlank()) {
                continue;
            }
            String[] parts = raw.split(":", 3);
            if (parts.length < 3 || !parts[2].startsWith("/")) {
                throw new IllegalArgumentException("invalid cgroup entry \"" + raw + "\"");
            }
            List<String> controllers = parts[1].isEmpty() ? List.of() : List.of(parts[1].split(","));
            lines.add(new Line(parts[0], controllers, parts[2]));
        }
        return new ProcCgroupFile(List.copyOf(lines));
    }

    /** The path in the cgroup v2 hierarchy ({@code 0::<path>}). */
    Optional<String> unifiedPath() {
        return lines.stream()
                .filter(l -> l.hierarchyId().equals("0") && l.controllers().isEmpty())
                .map(Line::path)
                .findFirst();
    }
}
