package io.jrunc.runc.cgroups;

import com.google.protobuf.Any;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.proto.events.TaskOOM;
import io.jrunc.shim.errors.ShimException;
import io.jrunc.shim.event.EventPublisher;
import io.jrunc.shim.typeurl.TypeUrls;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The cgroups of the daemon's containers, for the Task service: located from the init's pid at Create,
 * watched for OOM kills (published as /tasks/oom), read for Stats, forgotten at Delete. Nothing here fails a
 * Create: a cgroup that cannot be found or watched is logged, and Stats then answers NOT_FOUND, as in Go.
 */
public final class ContainerCgroups {
    private static final Logger LOG = System.getLogger(ContainerCgroups.class.getName());
    public static final String OOM_TOPIC = "/tasks/oom";

    private final CgroupLocator locator;
    private final Supplier<Posix> posix;
    private final Consumer<String> onOom;
    private final V1MetricsReader v1;
    private final V2MetricsReader v2 = new V2MetricsReader();
    private final Map<String, Cgroup> cgroups = new ConcurrentHashMap<>();
    private OomWatcher watcher; // guarded by this; made on the first watch

    /**
     * @param posix the kernel door, bound only when the first container is watched
     * @param onOom told the container id of each OOM kill
     */
    public ContainerCgroups(CgroupLocator locator, Supplier<Posix> posix, Consumer<String> onOom) {
        this.locator = locator;
        this.posix = posix;
        this.onOom = onOom;
        this.v1 = new V1MetricsReader(locator.proc());
    }

    /** The cgroups {@code locator} finds (the host's: {@link CgroupLocator#host()}), OOMs published to containerd as /tasks/oom. */
    public static ContainerCgroups publishingOoms(CgroupLocator locator, Supplier<Posix> posix, EventPublisher events) {
        return new ContainerCgroups(locator, posix,
                id -> events.publish(OOM_TOPIC, TaskOOM.newBuilder().setContainerId(id).build()));
    }

    public CgroupLocator locator() {
        return locator;
    }

    /**
     * Locates the cgroup of the container's init ({@code pid}, known after Create) and starts watching it for
     * OOM kills. Never throws: failures are logged, as the Go shim does.
     */
    public void track(String containerId, int pid) {
        Cgroup cgroup;
        try {
            cgroup = locator.locate(pid);
        } catch (IOException e) {
            LOG.log(Level.ERROR, "loading cgroup for " + pid + " (container " + containerId + "): " + e.getMessage());
            return;
        }
        cgroups.put(containerId, cgroup);
        if (cgroup instanceof Cgroup.V2 unified) {
            V2Controllers.enableDownTo(locator.root(), unified.dir())
                    .forEach(failure -> LOG.log(Level.WARNING, failure));
        }
        try {
            watcher().watch(containerId, cgroup);
        } catch (PosixException | IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "add cg to OOM monitor (container " + containerId + "): " + e.getMessage());
        }
    }

    /** The cgroup found for the container at {@link #track}, if any. */
    public Optional<Cgroup> cgroupOf(String containerId) {
        return Optional.ofNullable(cgroups.get(containerId));
    }

    /**
     * StatsResponse.stats: {@code io.containerd.cgroups.v1.Metrics} or {@code .v2.Metrics} with a bare type URL.
     *
     * @throws ShimException NOT_FOUND when the container has no cgroup (not found at Create, or removed since),
     *     UNKNOWN when a cgroup file cannot be read
     */
    public Any stats(String containerId) {
        Cgroup cgroup = cgroups.get(containerId);
        if (cgroup == null || !cgroup.exists()) {
            throw cgroupDoesNotExist();
        }
        try {
            return switch (cgroup) {
                case Cgroup.V1 c -> TypeUrls.pack(v1.read(c));
                case Cgroup.V2 c -> TypeUrls.pack(v2.read(c));
            };
        } catch (IOException e) {
            if (!cgroup.exists()) {
                throw cgroupDoesNotExist(); // removed while we read it
            }
            throw ShimException.unknown("failed to read cgroup stats of " + containerId + ": " + e.getMessage());
        }
    }

    private static ShimException cgroupDoesNotExist() {
        return ShimException.notFound("cgroup does not exist: not found");
    }

    /**
     * Call right before publishing the exit of the container's init: reports an OOM kill not reported yet, so
     * /tasks/oom comes before /tasks/exit.
     */
    public void beforeExit(String containerId) {
        OomWatcher current;
        synchronized (this) {
            current = watcher;
        }
        if (current != null && cgroups.containsKey(containerId)) {
            current.finalCheck(containerId);
        }
    }

    /** The container was deleted: stop watching, forget its cgroup. */
    public void forget(String containerId) {
        cgroups.remove(containerId);
        OomWatcher current;
        synchronized (this) {
            current = watcher;
        }
        if (current != null) {
            current.unwatch(containerId);
        }
    }

    private synchronized OomWatcher watcher() {
        if (watcher == null) {
            watcher = new OomWatcher(posix.get(), onOom);
        }
        return watcher;
    }
}
