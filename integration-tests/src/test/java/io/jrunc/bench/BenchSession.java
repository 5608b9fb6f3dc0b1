package io.jrunc.bench;

import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.ShimUnderTest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Everything the benchmark runs on: one private containerd, one busybox rootfs, one namespace, the
 * containers it started and any other cleanup a workload registered. {@link #close()} removes the
 * containers through containerd, then stops it; {@link #abandon()}, for the shutdown hook (Ctrl-C
 * also stops containerd, which is in our process group), skips containerd and lets the harness
 * force everything away: {@code runc delete -f}, shims killed by pid, sockets, mounts, cgroups.
 * Both are idempotent and safe while a workload is still running.
 */
final class BenchSession implements AutoCloseable {
    private static final Duration DAEMON_EXIT_TIMEOUT = Duration.ofSeconds(45);

    private final BenchPlan plan;
    private final BusyboxRootfs rootfs;
    private final PrivateContainerd containerd;
    private final String namespace;
    private final BenchContainers containers;
    private final Deque<Runnable> cleanups = new ArrayDeque<>();
    private boolean closed;

    private BenchSession(BenchPlan plan, BusyboxRootfs rootfs, PrivateContainerd containerd) {
        this.plan = plan;
        this.rootfs = rootfs;
        this.containerd = containerd;
        this.namespace = containerd.newNamespace();
        this.containers = new BenchContainers(containerd.ctr(namespace), rootfs, containerd.fifoDir());
    }

    static BenchSession open(BenchPlan plan) {
        BusyboxRootfs rootfs = BusyboxRootfs.create();
        try {
            // The shim's own defaults (the test runs' short linger would make lifecycles start cold daemons).
            return new BenchSession(plan, rootfs, PrivateContainerd.start(Map.of("JRUNC_LINGER", "")));
        } catch (RuntimeException | Error e) {
            rootfs.close();
            throw e;
        }
    }

    BenchPlan plan() {
        return plan;
    }

    BusyboxRootfs rootfs() {
        return rootfs;
    }

    PrivateContainerd containerd() {
        return containerd;
    }

    String namespace() {
        return namespace;
    }

    BenchContainers containers() {
        return containers;
    }

    /** Runs {@code cleanup} on close (last registered, first run), e.g. to delete a scratch directory. */
    synchronized void onClose(Runnable cleanup) {
        if (closed) {
            throw new IllegalStateException("benchmark session already closed");
        }
        cleanups.push(cleanup);
    }

    synchronized boolean closed() {
        return closed;
    }

    @Override
    public void close() {
        close(true);
    }

    /** Cleanup without asking containerd (it may be dying): for the shutdown hook. */
    void abandon() {
        close(false);
    }

    private synchronized void close(boolean graceful) {
        if (closed) {
            return;
        }
        closed = true;
        while (!cleanups.isEmpty()) {
            attempt("cleanup", cleanups.pop());
        }
        if (graceful && containerd.running()) {
            attempt("removing containers", () -> {
                List<String> failures = containers.removeAll();
                failures.forEach(f -> System.err.println("bench cleanup: " + f));
            });
            // A shim daemon shared by several containers may linger after the last one (jrunc: 30 s by
            // default); let it leave by itself rather than be killed with containerd.
            attempt("waiting for shim daemons to exit", () -> {
                if (!Poll.until(DAEMON_EXIT_TIMEOUT, this::noShimDaemons)) {
                    System.err.println("bench cleanup: shim daemons still running after " + DAEMON_EXIT_TIMEOUT.toSeconds()
                            + " s, the harness kills them");
                }
            });
        }
        attempt("stopping containerd", containerd::close);
        attempt("removing the rootfs", rootfs::close);
    }

    private boolean noShimDaemons() {
        return ShimProcesses.daemons(containerd, ShimUnderTest.GO).isEmpty()
                && ShimProcesses.daemons(containerd, ShimUnderTest.JAVA).isEmpty();
    }

    private static void attempt(String what, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException | Error e) {
            System.err.println("bench cleanup, " + what + " failed: " + e);
        }
    }
}
