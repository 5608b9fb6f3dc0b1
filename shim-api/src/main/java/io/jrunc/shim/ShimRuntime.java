package io.jrunc.shim;

import io.jrunc.posix.Posix;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.shim.host.HostProbe;
import io.jrunc.shim.task.TaskService;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a concrete runtime (runc, in shim-runc) gives the generic shim framework. The framework owns
 * the command line, the start/delete/serve actions, the socket, logging, events and reaping.
 */
public interface ShimRuntime {

    /** Version text for {@code -v}. */
    String version();

    /**
     * Builds the one Task service of a daemon. It serves every task routed to this daemon, by id.
     * Called once, in the daemon, after the reaper and event publisher exist.
     */
    TaskService createTaskService(ShimContext context) throws Exception;

    /**
     * The {@code delete} action: cleans up after a task whose daemon is gone (or after normal
     * teardown). Must be idempotent and tolerate missing state. Runs in a short-lived process
     * without a reaper thread.
     */
    DeleteResponse cleanup(ShimFlags flags) throws Exception;

    /**
     * Called by {@code start} right after it spawned a new daemon (not when it joined a live one),
     * with everything containerd wrote to start's stdin: nothing, a protobuf {@code Any} of the
     * runtime's options (containerd 1.6-2.2) or {@code BootstrapParams} (2.3+). The runc runtime
     * moves the daemon into {@code Options.shim_cgroup} here. Throwing kills the new daemon and
     * fails {@code start} with the exception's message.
     */
    default void daemonStarted(ShimFlags flags, int daemonPid, byte[] startInput) throws Exception {}

    /**
     * The key that puts a container in its pod's daemon under {@link Grouping#POD}: containers with equal keys
     * share one daemon. Runtimes know which annotations name a pod (runc: its group label, then CRI's sandbox
     * id); the default is the container's own id, one daemon each.
     */
    default String podGroupKey(Map<String, ?> annotations, String id) {
        return id;
    }

    /**
     * What sets a namespace's shared daemon apart besides the namespace, from start's stdin: containers
     * whose qualifiers differ get different daemons ({@code Grouping.SHARED_KEY + "@" + qualifier}). The runc
     * runtime returns a digest of the shim cgroup asked for, so that a shared daemon always runs in the cgroup
     * each of its containers asked for. Empty (the default) means the plain shared key. Called by
     * {@code start} before it names the socket; throwing fails {@code start}.
     */
    default Optional<String> groupingQualifier(byte[] startInput) throws Exception {
        return Optional.empty();
    }

    /**
     * What this runtime needs from the host beyond the framework's own needs (binaries, kernel calls,
     * cgroup hierarchies, capabilities), as cheap probes that start no process. {@code check} prints
     * them; the daemon runs them at start and refuses Create while one is missing.
     */
    default List<HostProbe> hostProbes(Posix posix) {
        return List.of();
    }
}
