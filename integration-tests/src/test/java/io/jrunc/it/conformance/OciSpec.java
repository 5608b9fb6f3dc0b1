package io.jrunc.it.conformance;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jrunc.json.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCI runtime spec a conformance container runs with, written here rather than by a client library:
 * the shape of {@code runc spec}'s template (pid, ipc, uts, mount and network namespaces; proc, dev, devpts,
 * shm, mqueue, sysfs and cgroup mounts; masked and read-only paths) with containerd's default capabilities,
 * a read-only busybox root given by absolute path (as {@code ctr run --rootfs} does, no snapshot), PATH=/bin,
 * and the cgroup {@code /<namespace>/<id>} that ctr would choose, which the leftover checks know.
 */
public record OciSpec(Path rootfs, String cgroupsPath, List<String> args, Map<String, String> annotations) {
    static final String SPEC_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
    static final String PROCESS_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/Process";
    static final String RESOURCES_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";

    private static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
            "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    public static OciSpec busybox(Path rootfs, String namespace, String id, String... args) {
        return new OciSpec(rootfs, "/" + namespace + "/" + id, List.of(args), Map.of());
    }

    OciSpec withAnnotations(Map<String, String> more) {
        Map<String, String> all = new LinkedHashMap<>(annotations);
        all.putAll(more);
        return new OciSpec(rootfs, cgroupsPath, args, Map.copyOf(all));
    }

    /** The spec as containerd stores it in Container.spec. */
    public Any toAny() {
        return json(SPEC_TYPE, toJson());
    }

    /** The process part alone, with other args: what Tasks.Exec takes (ExecProcessRequest.spec). */
    static Any process(String... args) {
        return json(PROCESS_TYPE, Json.write(processOf(List.of(args))));
    }

    /** LinuxResources for Tasks.Update: just a memory limit. */
    static Any memoryLimit(long bytes) {
        return json(RESOURCES_TYPE, Json.write(Map.of("memory", Map.of("limit", bytes))));
    }

    private static Any json(String typeUrl, String json) {
        return Any.newBuilder().setTypeUrl(typeUrl).setValue(ByteString.copyFromUtf8(json)).build();
    }

    String toJson() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ociVersion", "1.0.2-dev");
        spec.put("process", processOf(args));
        spec.put("root", Map.of("path", rootfs.toString(), "readonly", true));
        spec.put("hostname", "conformance");
        spec.put("mounts", List.of(
                mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro"))));
        if (!annotations.isEmpty()) {
            spec.put("annotations", annotations);
        }
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("resources", Map.of("devices", List.of(Map.of("allow", false, "access", "rwm"))));
        linux.put("cgroupsPath", cgroupsPath);
        linux.put("namespaces", List.of("pid", "ipc", "uts", "mount", "network").stream()
                .map(type -> Map.of("type", type)).toList());
        linux.put("maskedPaths", List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"));
        linux.put("readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
        spec.put("linux", linux);
        return Json.write(spec);
    }

    private static Map<String, Object> processOf(List<String> args) {
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        process.put("user", Map.of("uid", 0, "gid", 0));
        process.put("args", args);
        process.put("env", List.of("PATH=/bin", "HOME=/root"));
        process.put("cwd", "/");
        process.put("capabilities", Map.of("bounding", CAPABILITIES, "effective", CAPABILITIES, "permitted", CAPABILITIES));
        process.put("rlimits", List.of(Map.of("type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024)));
        process.put("noNewPrivileges", true);
        return process;
    }

    private static Map<String, Object> mount(String destination, String type, String source, List<String> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        m.put("options", options);
        return m;
    }
}
