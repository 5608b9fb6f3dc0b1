package io.jrunc.it.conformance;

import io.jrunc.it.harness.Cgroups;
import io.jrunc.it.harness.Poll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A cgroup made for a shim daemon to be moved into ({@code shim_cgroup}): the same path in every hierarchy under
 * /sys/fs/cgroup (cgroup v1: each controller and name=systemd; v2: the one tree), cpuset given its parent's cpus and
 * mems (else nothing can join it). {@link #close()} waits for the daemons in it to exit, then removes it.
 */
final class ShimCgroupDir implements AutoCloseable {
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    static final Duration EMPTY_TIMEOUT = Duration.ofSeconds(40);

    private final String path;
    private final List<Path> dirs = new ArrayList<>();

    private ShimCgroupDir(String path) {
        this.path = path;
    }

    static ShimCgroupDir create() {
        ShimCgroupDir cgroup = new ShimCgroupDir("/jrunc-it-shims-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        try {
            for (Path hierarchy : Cgroups.hierarchies()) {
                if (!hierarchy.startsWith(ROOT)) {
                    continue;
                }
                Path dir = Files.createDirectory(hierarchy.resolve(cgroup.path.substring(1)));
                cgroup.dirs.add(dir);
                if (Files.exists(dir.resolve("cpuset.cpus"))) {
                    Files.writeString(dir.resolve("cpuset.cpus"), Files.readString(hierarchy.resolve("cpuset.cpus")).strip());
                    Files.writeString(dir.resolve("cpuset.mems"), Files.readString(hierarchy.resolve("cpuset.mems")).strip());
                }
            }
        } catch (IOException e) {
            cgroup.close();
            throw new UncheckedIOException("cannot create test cgroup " + cgroup.path, e);
        }
        return cgroup;
    }

    /** The path as task options name it, e.g. "/jrunc-it-shims-0a1b2c3d". */
    String path() {
        return path;
    }

    static boolean unified() {
        return Files.exists(ROOT.resolve("cgroup.controllers"));
    }

    /**
     * Where /proc/&lt;pid&gt;/cgroup puts the process, by hierarchy ("memory", "name=systemd", "" for the unified one);
     * co-mounted controllers keep their joint name ("cpu,cpuacct").
     */
    static Map<String, String> cgroupsOf(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")).stream()
                    .map(line -> line.split(":", 3))
                    .collect(Collectors.toMap(f -> f[1], f -> f[2], (a, b) -> a));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether process {@code pid} is in this cgroup everywhere the Go shim puts it: every v1 hierarchy (the hybrid
     * layout's unified one is left alone), or the v2 tree.
     */
    boolean holds(long pid) {
        Map<String, String> cgroups = cgroupsOf(pid);
        if (unified()) {
            return path.equals(cgroups.get(""));
        }
        return cgroups.entrySet().stream().filter(e -> !e.getKey().isEmpty()).allMatch(e -> e.getValue().equals(path));
    }

    /** Whether process {@code pid} is in this cgroup in any hierarchy. */
    boolean touches(long pid) {
        return cgroupsOf(pid).containsValue(path);
    }

    @Override
    public void close() {
        List<Path> left = new ArrayList<>();
        Poll.require(EMPTY_TIMEOUT, () -> {
            left.clear();
            for (Path dir : dirs) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    left.add(dir); // EBUSY: a daemon still in it
                }
            }
            return left.isEmpty();
        }, () -> "test cgroup " + path + " to empty (daemons still in it?): " + left);
    }
}
