package io.jrunc.shim;

import io.jrunc.json.Json;
import io.jrunc.json.JsonException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code <socket>.status} next to a daemon's socket: who the daemon is (pid, namespace, version, settings)
 * and which containers it serves, as JSON. The daemon rewrites it atomically on every Create and Delete
 * and removes it on exit; the {@code status} command reads it, so operators see every daemon of the host
 * without containerd and without calling (or disturbing) any daemon. Mode 0600, like the socket.
 */
public record DaemonStatusFile(Path path) {
    public static final String SUFFIX = ".status";

    /** What a daemon says of itself. */
    public record Status(long pid, String namespace, String version, long startedMillis, String grouping,
            int maxContainers, long lingerMillis, String socket, String containerdAddress, List<String> containers) {
        public Status {
            containers = List.copyOf(containers);
        }

        Status withContainers(Collection<String> served) {
            return new Status(pid, namespace, version, startedMillis, grouping, maxContainers, lingerMillis, socket,
                    containerdAddress, new ArrayList<>(served));
        }

        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("pid", pid);
            json.put("namespace", namespace);
            json.put("version", version);
            json.put("started_ms", startedMillis);
            json.put("grouping", grouping);
            json.put("max_containers", (long) maxContainers);
            json.put("linger_ms", lingerMillis);
            json.put("socket", socket);
            json.put("containerd_address", containerdAddress);
            json.put("containers", List.copyOf(containers));
            return json;
        }

        static Status fromJson(Map<String, Object> json) {
            List<String> containers = new ArrayList<>();
            for (Object id : Json.array(json, "containers")) {
                if (id instanceof String s) {
                    containers.add(s);
                }
            }
            return new Status(Json.integer(json, "pid").orElse(0L), Json.string(json, "namespace").orElse(""),
                    Json.string(json, "version").orElse(""), Json.integer(json, "started_ms").orElse(0L),
                    Json.string(json, "grouping").orElse(""), Json.integer(json, "max_containers").orElse(0L).intValue(),
                    Json.integer(json, "linger_ms").orElse(0L), Json.string(json, "socket").orElse(""),
                    Json.string(json, "containerd_address").orElse(""), containers);
        }
    }

    public static DaemonStatusFile of(Path socket) {
        return new DaemonStatusFile(socket.resolveSibling(socket.getFileName() + SUFFIX));
    }

    /** Writes {@code status} atomically (temporary file, rename), readable by root only. */
    public void write(Status status) throws IOException {
        Path temporary = path.resolveSibling("." + path.getFileName() + "." + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(temporary, Json.writeBytes(status.toJson()));
            Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The file's status; empty when it is missing or not one this class wrote. */
    public Optional<Status> read() {
        try {
            return Optional.of(Status.fromJson(Json.parseObject(Files.readAllBytes(path))));
        } catch (IOException | JsonException e) {
            return Optional.empty();
        }
    }

    void remove() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the status command shows a file whose pid is gone as stale
        }
    }
}
