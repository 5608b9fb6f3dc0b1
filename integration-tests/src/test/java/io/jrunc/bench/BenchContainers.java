package io.jrunc.bench;

import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.ShimUnderTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Containers of the benchmark's namespace: builds the {@code ctr run} command lines for a shim, and
 * remembers every id it handed out so that {@link #removeAll()} leaves nothing behind, whatever
 * failed in between.
 */
final class BenchContainers {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int REMOVE_PARALLELISM = 4;

    private final Ctr ctr;
    private final BusyboxRootfs rootfs;
    private final Path fifoDir;
    private final Set<String> ids = new LinkedHashSet<>();

    BenchContainers(Ctr ctr, BusyboxRootfs rootfs, Path fifoDir) {
        this.ctr = ctr;
        this.rootfs = rootfs;
        this.fifoDir = fifoDir;
    }

    Ctr ctr() {
        return ctr;
    }

    Path fifoDir() {
        return fifoDir;
    }

    /**
     * The arguments (after {@code ctr --address .. -n ..}) of a foreground {@code ctr run --rm} whose
     * stdio goes through fifos in our fifo dir, as a user's would.
     */
    List<String> foregroundRunArgs(ShimUnderTest shim, String id, String... command) {
        track(id);
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--fifo-dir", fifoDir.toString(),
                "--runtime", shim.runtime(), "--rootfs", rootfs.path().toString(), id));
        args.addAll(List.of(command));
        return args;
    }

    /** {@code ctr run -d --null-io}: a background container; throws with ctr's output if it fails. */
    void startDetached(ShimUnderTest shim, String id, String... command) {
        start(shim, id, List.of("run", "-d", "--null-io"), command);
    }

    /** {@code ctr run -d} with stdio fifos (ctr leaves them when it returns): the shim has output streams to copy. */
    void startDetachedWithStdio(ShimUnderTest shim, String id, String... command) {
        start(shim, id, List.of("run", "-d"), command);
    }

    private void start(ShimUnderTest shim, String id, List<String> run, String... command) {
        track(id);
        List<String> args = new ArrayList<>(run);
        args.addAll(List.of("--runtime", shim.runtime(), "--rootfs", rootfs.path().toString(), id));
        args.addAll(List.of(command));
        ctr.ok(args.toArray(String[]::new));
    }

    private synchronized void track(String id) {
        ids.add(id);
    }

    /**
     * Kills (SIGKILL) and deletes the task if there is one, then deletes the container; a container
     * that is already gone is fine. Throws if the container is still there afterwards.
     */
    void remove(String id) {
        if (ctr.task(id).isPresent()) {
            ctr.run("task", "kill", "-a", "-s", "SIGKILL", id);
            Poll.until(STOP_TIMEOUT, () -> ctr.task(id).map(t -> t.status().equals("STOPPED")).orElse(true));
            CommandResult deleted = ctr.run("task", "delete", id);
            if (!deleted.ok() && ctr.task(id).isPresent()) {
                throw new IllegalStateException("cannot delete task " + id + ": " + deleted.describe());
            }
        }
        CommandResult container = ctr.run("container", "delete", id);
        if (!container.ok() && !container.stderr().contains("not found")) {
            throw new IllegalStateException("cannot delete container " + id + ": " + container.describe());
        }
        synchronized (this) {
            ids.remove(id);
        }
    }

    /** Removes {@code which} a few at a time; returns the failures (empty when all went). */
    List<String> removeAll(Collection<String> which) {
        List<String> failures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(REMOVE_PARALLELISM)) {
            List<Future<?>> pending = new ArrayList<>();
            for (String id : List.copyOf(which)) {
                pending.add(pool.submit(() -> {
                    remove(id);
                    return null;
                }));
            }
            for (Future<?> f : pending) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause().getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.add("interrupted while removing containers");
                    break;
                }
            }
        }
        return failures;
    }

    /** Removes every container this benchmark named that containerd still has. */
    List<String> removeAll() {
        Set<String> existing = new LinkedHashSet<>(ctr.ok("container", "list", "-q").stdout().lines()
                .map(String::strip).filter(s -> !s.isEmpty()).toList());
        List<String> mine;
        synchronized (this) {
            mine = ids.stream().filter(existing::contains).toList();
            ids.retainAll(existing);
        }
        return removeAll(mine);
    }
}
