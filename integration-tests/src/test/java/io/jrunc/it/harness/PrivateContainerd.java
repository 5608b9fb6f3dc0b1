package io.jrunc.it.harness;

import com.google.protobuf.Empty;
import io.jrunc.proto.services.version.v1.VersionResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A containerd daemon of our own: its config, root, state and sockets live in one short temp dir
 * (/tmp/jrunc-it-N, short because unix socket paths are limited to 108 bytes), its log goes to
 * integration-tests/target/it-logs, and containerd's PATH starts with the jrunc dist bin dir so
 * runtime "io.containerd.jrunc.v2" resolves to our shim. Stopped by PID only.
 *
 * <p>Shim sockets still land in the host-wide /run/containerd/s and runc state in
 * /run/containerd/runc/&lt;namespace&gt;; namespaces made by {@link #newNamespace()} are unique so tests
 * never collide with other daemons on the machine.
 */
public final class PrivateContainerd implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/containerd");
    /** The Go runc shims' default runc root; containers of namespace ns live in its ns subdirectory. */
    public static final Path RUNC_ROOT = Path.of("/run/containerd/runc");
    /** A value in {@link #start(Map)}'s map that removes the variable from containerd's environment. */
    public static final String UNSET = "\0unset";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private final ContainerdConfig config;
    private final Path configFile;
    private final Path logFile;
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private final Map<String, String> extraEnv;
    private final ContainerdDistribution distribution;
    private Process process;

    private PrivateContainerd(Path dir, Map<String, String> extraEnv, ContainerdDistribution distribution) {
        this.dir = dir;
        Map<String, String> env = new java.util.HashMap<>(JruncGrouping.containerdEnvironment());
        env.putAll(extraEnv);
        this.extraEnv = Map.copyOf(env);
        this.distribution = distribution;
        this.config = ContainerdConfig.under(dir, distribution.configVersion());
        this.configFile = dir.resolve("config.toml");
        this.logFile = ItPaths.logDir().resolve("containerd-" + dir.getFileName() + ".log");
    }

    /** Creates the directory and config, starts containerd and waits until its Version call answers. */
    public static PrivateContainerd start() {
        return start(Map.of());
    }

    /**
     * {@link #start()} with more variables in containerd's environment, which its shims inherit (e.g.
     * JRUNC_GROUPING, or JRUNC_TRACE to see which path the JAVA shim's launcher took).
     */
    public static PrivateContainerd start(Map<String, String> extraEnv) {
        return start(extraEnv, null);
    }

    /**
     * {@link #start()} of another containerd release ({@link ContainerdDistribution#obtain}): its own binary,
     * config schema, and its bin dir early on PATH, so runtime io.containerd.runc.v2 (GO) is that release's shim.
     */
    public static PrivateContainerd start(ContainerdDistribution distribution) {
        return start(Map.of(), null, distribution);
    }

    /**
     * {@link #start(Map)} with containerd's CRI plugin enabled: {@code criPlugin} is given this daemon's
     * directory (for CNI dirs and the like) and returns the plugin's TOML tables (see io.jrunc.it.cri.CriPluginConfig).
     */
    public static PrivateContainerd startWithCri(Map<String, String> extraEnv, java.util.function.Function<Path, String> criPlugin) {
        return start(extraEnv, java.util.Objects.requireNonNull(criPlugin));
    }

    /** {@link #startWithCri(Map, java.util.function.Function)} on another containerd release. */
    public static PrivateContainerd startWithCri(ContainerdDistribution distribution, Map<String, String> extraEnv,
                                                 java.util.function.Function<Path, String> criPlugin) {
        return start(extraEnv, java.util.Objects.requireNonNull(criPlugin), distribution);
    }

    private static PrivateContainerd start(Map<String, String> extraEnv, java.util.function.Function<Path, String> criPlugin) {
        return start(extraEnv, criPlugin, ContainerdDistribution.system());
    }

    private static PrivateContainerd start(Map<String, String> extraEnv, java.util.function.Function<Path, String> criPlugin,
                                           ContainerdDistribution distribution) {
        Path dir;
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "jrunc-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrivateContainerd ctd = new PrivateContainerd(dir, extraEnv, distribution);
        try {
            Files.writeString(ctd.configFile, criPlugin == null ? ctd.config.toToml() : ctd.config.toToml(criPlugin.apply(dir)));
            ctd.launch();
            return ctd;
        } catch (IOException e) {
            ctd.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            ctd.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    /** The containerd release this daemon runs. */
    public ContainerdDistribution distribution() {
        return distribution;
    }

    public Path grpcSocket() {
        return config.grpcSocket();
    }

    /** containerd's default ttrpc address: the gRPC socket path plus ".ttrpc". Shims forward events here. */
    public Path ttrpcSocket() {
        return Path.of(config.grpcSocket() + ".ttrpc");
    }

    public Path rootDir() {
        return config.root();
    }

    public Path stateDir() {
        return config.state();
    }

    public Path logFile() {
        return logFile;
    }

    /**
     * A fifo directory for {@code ctr run --fifo-dir}: without it ctr puts stdio fifos in the
     * host-wide /run/containerd/fifo; here they go away with this daemon's directory.
     */
    public Path fifoDir() {
        return dir.resolve("fifo");
    }

    /** The bundle (shim working directory) of container {@code id}: state/io.containerd.runtime.v2.task/ns/id. */
    public Path bundle(String namespace, String id) {
        return stateDir().resolve("io.containerd.runtime.v2.task").resolve(namespace).resolve(id);
    }

    /** A fresh namespace name; the harness cleans up runc state for every namespace it handed out. */
    public String newNamespace() {
        String ns = "jrunc-it-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        namespaces.add(ns);
        return ns;
    }

    public Ctr ctr(String namespace) {
        return new Ctr(grpcSocket(), namespace, Ctr.DEFAULT_TIMEOUT, distribution.ctr().toString());
    }

    public ContainerdClient client(String namespace) {
        return ContainerdClient.connect(grpcSocket(), namespace);
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("containerd is not running");
        }
        return process.pid();
    }

    /** SIGTERM, then SIGKILL if containerd has not exited within 10 s. Shims keep running. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** SIGKILL: a containerd crash, as shims see it (their connections and its ttrpc socket go away). */
    public synchronized void kill9() {
        if (process == null) {
            throw new IllegalStateException("containerd is not running");
        }
        process.destroyForcibly();
        try {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Stops containerd if it runs (gracefully), starts it again on the same dirs and waits until it answers. */
    public synchronized void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void launch() throws IOException {
        Files.writeString(logFile, "=== starting containerd " + java.time.Instant.now() + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(distribution.containerd().toString(), "--config", configFile.toString())
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().put("PATH", shimPath(distribution));
        extraEnv.forEach((name, value) -> {
            if (value.equals(UNSET)) {
                pb.environment().remove(name);
            } else {
                pb.environment().put(name, value);
            }
        });
        // A stale socket from a killed daemon would make the readiness check pass too early.
        Files.deleteIfExists(grpcSocket());
        process = pb.start();
        awaitReady();
    }

    private static String shimPath(ContainerdDistribution distribution) {
        String inherited = System.getenv().getOrDefault("PATH", "");
        String path = ItPaths.shimDistBin() + ":" + (distribution.isSystem() ? "" : distribution.binDir() + ":") + inherited;
        for (String dir : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (!(":" + path + ":").contains(":" + dir + ":")) {
                path += ":" + dir;
            }
        }
        return path;
    }

    private void awaitReady() {
        Poll.require(READY_TIMEOUT, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("containerd exited with " + process.exitValue() + "; log " + logFile
                        + ":\n" + logTail());
            }
            return Files.exists(grpcSocket()) && Files.exists(ttrpcSocket());
        }, () -> "containerd sockets in " + dir + "; log " + logFile + ":\n" + logTail());
        try (ContainerdClient probe = client("default")) {
            VersionResponse v = probe.version().withWaitForReady().withDeadlineAfter(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .version(Empty.getDefaultInstance());
            if (v.getVersion().isEmpty()) {
                throw new IllegalStateException("containerd answered Version without a version");
            }
        }
    }

    /** The last lines of containerd's log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * Stops containerd and removes everything it and its shims left: containers in our namespaces
     * (runc delete -f), shim processes serving this daemon (SIGKILL by pid), their sockets, mounts
     * under our dir, then the dir. The namespaces' empty runc roots and cgroup parents (which nobody
     * else removes) go too. Tests should have cleaned up already; what had to be done here is
     * printed so a leaky test shows up in the output.
     */
    @Override
    public void close() {
        List<String> done = new ArrayList<>();
        for (String ns : namespaces) {
            done.addAll(deleteRuncContainers(ns));
        }
        stop();
        for (Procs.ProcInfo p : Procs.all()) {
            if (p.cmdline().contains(dir.toString()) && p.pid() != ProcessHandle.current().pid()) {
                ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
                done.add("killed " + p);
            }
        }
        List<Path> shimFiles = new ArrayList<>();
        for (Path socket : shimSocketsFromBundles()) {
            shimFiles.addAll(List.of(socket, JruncGrouping.stateFile(socket), JruncGrouping.statusFile(socket)));
        }
        for (String ns : namespaces) {
            // A daemon killed above (or by the test) leaves its state and status files: they go too.
            Path shared = JruncGrouping.sharedSocket(grpcSocket(), ns);
            shimFiles.addAll(List.of(shared, JruncGrouping.stateFile(shared), JruncGrouping.statusFile(shared)));
        }
        for (Path file : shimFiles) {
            try {
                if (Files.deleteIfExists(file)) {
                    done.add("removed " + file);
                }
            } catch (IOException e) {
                done.add("cannot remove " + file + ": " + e);
            }
        }
        for (Path m : Mounts.unmountAll(dir)) {
            done.add("unmounted " + m);
        }
        for (String ns : namespaces) {
            removeIfEmpty(RUNC_ROOT.resolve(ns));
            for (Path kept : Cgroups.removeNamespace(ns)) {
                done.add("cgroup still busy, left in place: " + kept);
            }
        }
        FileTrees.deleteRecursively(dir);
        if (!done.isEmpty()) {
            System.err.println("PrivateContainerd " + dir + " cleaned up leftovers:\n  " + String.join("\n  ", done));
        }
    }

    private List<String> deleteRuncContainers(String ns) {
        Path root = RUNC_ROOT.resolve(ns);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<String> done = new ArrayList<>();
        CommandResult list = Command.run(Duration.ofSeconds(20), List.of("runc", "--root", root.toString(), "list", "-q"));
        for (String id : list.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
            CommandResult r = Command.run(Duration.ofSeconds(20), List.of("runc", "--root", root.toString(), "delete", "-f", id));
            done.add("runc delete -f " + ns + "/" + id + (r.ok() ? "" : " failed: " + r.stderr().strip()));
        }
        return done;
    }

    private List<Path> shimSocketsFromBundles() {
        Path tasks = stateDir().resolve("io.containerd.runtime.v2.task");
        List<Path> sockets = new ArrayList<>();
        if (!Files.isDirectory(tasks)) {
            return sockets;
        }
        try (DirectoryStream<Path> nss = Files.newDirectoryStream(tasks)) {
            for (Path ns : nss) {
                try (DirectoryStream<Path> bundles = Files.newDirectoryStream(ns)) {
                    for (Path bundle : bundles) {
                        if (Files.exists(bundle.resolve("address")) || Files.exists(bundle.resolve(ShimAddress.BOOTSTRAP_FILE))) {
                            sockets.add(ShimAddress.fromBundle(bundle));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sockets;
    }

    private static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            System.err.println("PrivateContainerd: " + dir + " not empty, left in place");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
