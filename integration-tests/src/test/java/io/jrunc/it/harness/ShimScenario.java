package io.jrunc.it.harness;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One lifecycle scenario against one shim: a fresh namespace on a shared {@link PrivateContainerd},
 * containers run with {@code --runtime <shim>} on a busybox rootfs, and on {@link #close()} every
 * container it named is removed and {@link Leftovers#assertNone} checks nothing stayed behind.
 *
 * <pre>
 * try (ShimScenario s = ShimScenario.begin(containerd, rootfs, shim)) {
 *     long pid = s.runDetached("c1", "/bin/sleep", "300");
 *     ...
 * }
 * </pre>
 */
public final class ShimScenario implements AutoCloseable {
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration LEFTOVER_GRACE = Duration.ofSeconds(15);
    private static final int LOG_LINES_ON_FAILURE = 150;
    /** The scenario running now, for {@link ContainerdLogOnFailure}. */
    private static volatile ShimScenario current;

    private final PrivateContainerd containerd;
    private final BusyboxRootfs rootfs;
    private final ShimUnderTest shim;
    private final String namespace;
    private final Ctr ctr;
    private final Leftovers leftovers;
    private final long logOffset;
    private final Set<String> ids = new LinkedHashSet<>();
    private ContainerdClient client;

    private ShimScenario(PrivateContainerd containerd, BusyboxRootfs rootfs, ShimUnderTest shim) {
        this.containerd = containerd;
        this.rootfs = rootfs;
        this.shim = shim;
        this.namespace = containerd.newNamespace();
        this.ctr = containerd.ctr(namespace);
        this.leftovers = Leftovers.snapshot(containerd, namespace, rootfs.path());
        this.logOffset = logSize();
    }

    /** Starts a scenario; fails when the shim's binary is missing. */
    public static ShimScenario begin(PrivateContainerd containerd, BusyboxRootfs rootfs, ShimUnderTest shim) {
        shim.requireInstalled();
        ShimScenario scenario = new ShimScenario(containerd, rootfs, shim);
        current = scenario;
        return scenario;
    }

    public PrivateContainerd containerd() {
        return containerd;
    }

    public ShimUnderTest shim() {
        return shim;
    }

    public String namespace() {
        return namespace;
    }

    public Ctr ctr() {
        return ctr;
    }

    /** containerd's gRPC API in this scenario's namespace (one connection, closed with the scenario). */
    public synchronized ContainerdClient client() {
        if (client == null) {
            client = containerd.client(namespace);
        }
        return client;
    }

    /** Drops the gRPC connection, e.g. before containerd is killed; {@link #client()} makes a new one. */
    public synchronized void dropClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** {@code ctr run --rm} in the foreground: waits for the task and returns ctr's output and exit code. */
    public CommandResult runForeground(String id, String... command) {
        ids.add(id);
        return ctr.run(runArgs(List.of("--rm", "--fifo-dir", containerd.fifoDir().toString()), id, command));
    }

    /** Like {@link #runForeground} but returns at once; the caller ends the task and awaits ctr. */
    public Command.Background startForeground(String id, String... command) {
        ids.add(id);
        return ctr.start(runArgs(List.of("--rm", "--fifo-dir", containerd.fifoDir().toString()), id, command));
    }

    /** {@code ctr run -d --null-io}; returns the task's pid as {@code ctr task ls} shows it (RUNNING). */
    public long runDetached(String id, String... command) {
        ids.add(id);
        ctr.ok(runArgs(List.of("-d", "--null-io"), id, command));
        Ctr.TaskRow row = ctr.task(id).orElseThrow(() -> new AssertionError("ctr task ls does not show " + id));
        if (!row.status().equals("RUNNING")) {
            throw new AssertionError("task " + id + " not RUNNING after ctr run -d: " + row);
        }
        return row.pid();
    }

    private String[] runArgs(List<String> mode, String id, String... command) {
        List<String> args = new ArrayList<>(List.of("run"));
        args.addAll(mode);
        if (shim == ShimUnderTest.JAVA && mode.stream().noneMatch(a -> a.startsWith(JruncGrouping.GROUPING_ANNOTATION + "="))) {
            args.addAll(JruncGrouping.ctrOptions());
        }
        args.addAll(List.of("--runtime", shim.runtime(), "--rootfs", rootfs.path().toString(), id));
        args.addAll(List.of(command));
        return args.toArray(String[]::new);
    }

    /**
     * Makes {@code id} one of this scenario's containers (removed and leftover-checked on close), for containers
     * a test starts with ctr arguments of its own.
     */
    public void own(String id) {
        ids.add(id);
    }

    /** {@code ctr run <options> --runtime <shim> --rootfs <busybox> <id> <command>}, as arguments for {@link Ctr}. */
    public String[] ctrRunArgs(List<String> options, String id, String... command) {
        return runArgs(options, id, command);
    }

    /** Waits until containerd reports task {@code id} STOPPED (or gone). */
    public void awaitStopped(String id, Duration timeout) {
        Poll.require(timeout, () -> ctr.task(id).map(t -> t.status().equals("STOPPED")).orElse(true),
                () -> "task " + id + " to stop: " + ctr.task(id));
    }

    /** SIGKILL the task if it still runs, delete the task, delete the container; a missing one is fine. */
    public void remove(String id) {
        var task = ctr.task(id);
        if (task.isPresent()) {
            if (!task.get().status().equals("STOPPED")) {
                ctr.run("task", "kill", "-s", "SIGKILL", id);
                awaitStopped(id, STOP_TIMEOUT);
            }
            CommandResult deleted = ctr.run("task", "delete", id);
            if (!deleted.ok() && ctr.task(id).isPresent()) {
                throw new IllegalStateException("cannot delete task " + id + ": " + deleted.describe());
            }
        }
        CommandResult container = ctr.run("container", "delete", id);
        if (!container.ok() && !container.stderr().contains("not found")) {
            throw new IllegalStateException("cannot delete container " + id + ": " + container.describe());
        }
    }

    /** containerd's log (shim logs included: they arrive through the bundle's log fifo) since this scenario began. */
    public String containerdLog() {
        try (RandomAccessFile f = new RandomAccessFile(containerd.logFile().toFile(), "r")) {
            long from = Math.min(logOffset, f.length());
            byte[] bytes = new byte[(int) Math.min(f.length() - from, 4 << 20)];
            f.seek(from);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(containerd log unreadable: " + e + ")";
        }
    }

    /** The last lines of {@link #containerdLog()}, for failure reports. */
    public String containerdLogTail() {
        List<String> lines = containerdLog().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_ON_FAILURE), lines.size()));
    }

    private long logSize() {
        try {
            return Files.exists(containerd.logFile()) ? Files.size(containerd.logFile()) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * A dead shim's socket file outlives its bundle, so {@link PrivateContainerd#close()} cannot
     * find it; after a failed scenario remove the ones nobody listens on any more.
     */
    private void removeStaleSockets() {
        for (String id : ids) {
            java.nio.file.Path socket = ShimAddress.derived(containerd.grpcSocket(), namespace, id);
            if (Files.exists(socket) && UnixSockets.listeners(socket).isEmpty()) {
                try {
                    Files.deleteIfExists(socket);
                    System.err.println("ShimScenario: removed stale shim socket " + socket + " (" + namespace + "/" + id + ")");
                } catch (IOException e) {
                    System.err.println("ShimScenario: cannot remove " + socket + ": " + e);
                }
            }
        }
    }

    static ShimScenario current() {
        return current;
    }

    /** Removes every container this scenario named, then asserts nothing is left. */
    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            for (String id : ids) {
                try {
                    remove(id);
                } catch (RuntimeException | AssertionError e) {
                    if (failure == null) {
                        failure = new IllegalStateException("cleanup of " + shim + " scenario failed", e);
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            dropClient();
        }
        try {
            leftovers.assertNone(LEFTOVER_GRACE, ids.toArray(String[]::new));
        } catch (AssertionError e) {
            if (failure != null) {
                e.addSuppressed(failure);
            }
            throw e;
        } finally {
            removeStaleSockets();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
