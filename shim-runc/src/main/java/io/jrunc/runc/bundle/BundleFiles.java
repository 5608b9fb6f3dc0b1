package io.jrunc.runc.bundle;

import io.jrunc.json.Json;
import io.jrunc.proto.runc.v1.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files a runc shim reads and writes in a bundle directory: {@code runtime} and {@code options.json}
 * (written at Create, read by the delete action), {@code init.pid} (written by runc), {@code config.json}
 * (the OCI spec, from containerd) and the {@code rootfs} mount point.
 */
public record BundleFiles(Path dir) {

    public static final String RUNTIME = "runtime";
    public static final String OPTIONS = "options.json";
    public static final String INIT_PID = "init.pid";

    public Path rootfs() {
        return dir.resolve("rootfs");
    }

    public Path initPidFile() {
        return dir.resolve(INIT_PID);
    }

    public void writeOptions(Options options) throws IOException {
        writePrivate(dir.resolve(OPTIONS), RuncOptionsCodec.toJson(options));
    }

    /** Empty when the file is missing (never created here). */
    public Optional<Options> readOptions() throws IOException {
        return read(dir.resolve(OPTIONS)).map(RuncOptionsCodec::fromJson);
    }

    /** The runc binary name as the Create options gave it (may be empty, meaning "runc"). */
    public void writeRuntime(String binaryName) throws IOException {
        writePrivate(dir.resolve(RUNTIME), binaryName);
    }

    public Optional<String> readRuntime() throws IOException {
        return read(dir.resolve(RUNTIME));
    }

    /** The pid runc wrote to {@code init.pid}. */
    public int readInitPid() throws IOException {
        return readPidFile(initPidFile());
    }

    /** Where runc writes the pid of exec {@code execId}: {@code <bundle>/<exec id>.pid}. */
    public Path execPidFile(String execId) {
        return dir.resolve(execId + ".pid");
    }

    /** A pid file runc wrote ({@code --pid-file}): one positive number. */
    public static int readPidFile(Path file) throws IOException {
        return parsePid(Files.readString(file, StandardCharsets.UTF_8));
    }

    public Optional<Integer> readInitPidIfPresent() throws IOException {
        Optional<String> text = read(initPidFile());
        return text.isEmpty() ? Optional.empty() : Optional.of(parsePid(text.get()));
    }

    /**
     * Whether the OCI spec gives the container a pid namespace of its own (a {@code pid} namespace without a
     * path). When it does not, the container's processes outlive its init and must be killed on its exit.
     * An unreadable spec counts as "not private", as in the Go shim (killing too much beats leaking).
     */
    public boolean hasPrivatePidNamespace() {
        try {
            Map<String, Object> spec = Json.parseObject(Files.readString(dir.resolve("config.json")));
            List<Object> namespaces = Json.array(Json.object(spec, "linux"), "namespaces");
            for (Object ns : namespaces) {
                if (ns instanceof Map<?, ?> m
                        && "pid".equals(m.get("type"))
                        && (m.get("path") == null || "".equals(m.get("path")))) {
                    return true;
                }
            }
            return false;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    private static int parsePid(String text) throws IOException {
        try {
            int pid = Integer.parseInt(text.strip());
            if (pid <= 0) {
                throw new NumberFormatException("not positive");
            }
            return pid;
        } catch (NumberFormatException e) {
            throw new IOException("pid file does not hold a pid: '" + text.strip() + "'");
        }
    }

    private static Optional<String> read(Path file) throws IOException {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Written 0600 like the Go shim's files; replaced if present. */
    private static void writePrivate(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.write(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                content.getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
    }
}
