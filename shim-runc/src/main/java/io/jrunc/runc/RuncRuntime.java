package io.jrunc.runc;

import io.jrunc.posix.ChildReaper;
import io.jrunc.posix.Posix;
import io.jrunc.posix.Reaper;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.runc.bundle.StartInput;
import io.jrunc.runc.cgroups.ShimCgroup;
import io.jrunc.runc.task.BundleCleanup;
import io.jrunc.runc.task.RuncTaskService;
import io.jrunc.shim.ShimContext;
import io.jrunc.shim.ShimFlags;
import io.jrunc.shim.ShimRuntime;
import io.jrunc.shim.host.HostProbe;
import io.jrunc.shim.task.TaskService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The runc runtime for the shim framework: the launcher instantiates it with the no-arg constructor. */
public final class RuncRuntime implements ShimRuntime {
    /** Annotations that put a container in the daemon of another, first match wins (as the Go runc shim). */
    public static final List<String> GROUP_ANNOTATIONS = List.of("io.containerd.runc.v2.group", "io.kubernetes.cri.sandbox-id");

    private final Supplier<Posix> posix;
    private final Supplier<Reaper> cleanupReaper;
    private final Supplier<ShimCgroup> shimCgroup;

    public RuncRuntime() {
        this(Posix::get, ChildReaper::start, ShimCgroup::host);
    }

    public RuncRuntime(Supplier<Posix> posix, Supplier<Reaper> cleanupReaper) {
        this(posix, cleanupReaper, ShimCgroup::host);
    }

    /**
     * @param posix the kernel door (bound lazily: version and start need none)
     * @param cleanupReaper starts the reaper of the short-lived {@code delete} process
     * @param shimCgroup where {@code shim_cgroup} paths are (the host's /sys/fs/cgroup)
     */
    public RuncRuntime(Supplier<Posix> posix, Supplier<Reaper> cleanupReaper, Supplier<ShimCgroup> shimCgroup) {
        this.posix = posix;
        this.cleanupReaper = cleanupReaper;
        this.shimCgroup = shimCgroup;
    }

    @Override
    public String version() {
        return "jrunc runc runtime " + implementationVersion() + " (revision " + revision() + ")";
    }

    /** The git revision of the build (jrunc/build.properties, written at build time), or "unknown". */
    static String revision() {
        try (java.io.InputStream in = RuncRuntime.class.getResourceAsStream("/jrunc/build.properties")) {
            if (in == null) {
                return "unknown";
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("revision", "unknown").strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    @Override
    public TaskService createTaskService(ShimContext context) {
        return new RuncTaskService(context, posix.get(), implementationVersion());
    }

    @Override
    public DeleteResponse cleanup(ShimFlags flags) throws Exception {
        return new BundleCleanup(posix.get(), cleanupReaper).run(flags.bundle(), flags.namespace(), flags.id());
    }

    /** Moves the new daemon into the shim cgroup asked for on stdin, if any (the Go shim's start does). */
    @Override
    public void daemonStarted(ShimFlags flags, int daemonPid, byte[] startInput) throws Exception {
        String cgroup = StartInput.shimCgroup(startInput);
        if (!cgroup.isEmpty()) {
            shimCgroup.get().join(cgroup, daemonPid);
        }
    }

    /** The first 16 hex digits of the SHA-256 of the shim cgroup asked for; empty without one. */
    @Override
    public Optional<String> groupingQualifier(byte[] startInput) throws NoSuchAlgorithmException {
        String cgroup = StartInput.shimCgroup(startInput);
        if (cgroup.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(cgroup.getBytes(StandardCharsets.UTF_8));
        return Optional.of(HexFormat.of().formatHex(digest, 0, 8));
    }

    static String implementationVersion() {
        String v = RuncRuntime.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public List<HostProbe> hostProbes(Posix posix) {
        return RuncHostProbes.host(posix);
    }

    /**
     * Under grouping=pod, containers share a daemon as with the Go runc shim: by runc's group label, else by
     * their CRI sandbox, else each alone. The launcher's JVM-free start reads the same annotations.
     */
    @Override
    public String podGroupKey(Map<String, ?> annotations, String id) {
        for (String annotation : GROUP_ANNOTATIONS) {
            if (annotations.get(annotation) instanceof String group) {
                return group;
            }
        }
        return id;
    }
}
