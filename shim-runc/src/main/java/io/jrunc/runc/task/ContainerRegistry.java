package io.jrunc.runc.task;

import io.jrunc.posix.ProcessExit;
import io.jrunc.runc.process.ExecProcess;
import io.jrunc.runc.process.TaskErrors;
import io.jrunc.shim.errors.ShimException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The containers of this daemon by id, their processes by pid, and the exits seen while a pid is not known yet:
 * runc's init (or an exec) can exit before the shim has read its pid file.
 */
final class ContainerRegistry {
    /** Exits remembered per watch; only the last ones matter (runc create or exec takes milliseconds). */
    static final int MAX_EARLY_EXITS = 4096;

    private final Map<String, Container> byId = new HashMap<>();
    private final Map<Integer, PidOwner> byPid = new HashMap<>();
    private final Set<String> creating = new HashSet<>();
    private final List<EarlyExits> watching = new ArrayList<>();

    /** Who an exit belongs to. */
    sealed interface PidOwner permits InitOwner, ExecOwner {
        Container container();
    }

    record InitOwner(Container container) implements PidOwner {}

    record ExecOwner(Container container, ExecProcess exec) implements PidOwner {}

    /** Exits that no process claimed while a Create (or a Start learning a new pid) was in flight. */
    static final class EarlyExits {
        private final String id;
        private final List<ProcessExit> exits = new ArrayList<>();

        private EarlyExits(String id) {
            this.id = id;
        }

        private void record(ProcessExit exit) {
            if (exits.size() >= MAX_EARLY_EXITS) {
                exits.removeFirst();
            }
            exits.add(exit);
        }

        private Optional<ProcessExit> find(int pid) {
            return exits.stream().filter(e -> e.pid() == pid).reduce((first, second) -> second);
        }
    }

    /** Reserves {@code id} and starts remembering unclaimed exits for it. */
    synchronized EarlyExits beginCreate(String id) {
        if (byId.containsKey(id) || creating.contains(id)) {
            throw ShimException.alreadyExists("container " + id + ": already exists");
        }
        creating.add(id);
        EarlyExits early = new EarlyExits(id);
        watching.add(early);
        return early;
    }

    synchronized void abortCreate(EarlyExits early) {
        watching.remove(early);
        creating.remove(early.id);
    }

    /**
     * Adds a created container. Returns the exit of its init if that was seen before registration; later
     * exits of its pid are routed to it by {@link #route}. A container created from a checkpoint has no pid yet.
     */
    synchronized Optional<ProcessExit> register(Container container, EarlyExits early) {
        watching.remove(early);
        creating.remove(early.id);
        byId.put(container.id(), container);
        int pid = container.init().pid();
        return pid > 0 ? claim(pid, new InitOwner(container), early) : Optional.empty();
    }

    /** Starts remembering unclaimed exits, for a Start that will learn a new pid from runc. */
    synchronized EarlyExits watchExits() {
        EarlyExits early = new EarlyExits(null);
        watching.add(early);
        return early;
    }

    synchronized void stopWatching(EarlyExits early) {
        watching.remove(early);
    }

    /** Routes the exits of {@code pid} to {@code exec}; returns its exit when that was seen already. */
    synchronized Optional<ProcessExit> claimExecPid(Container container, ExecProcess exec, int pid, EarlyExits early) {
        return claim(pid, new ExecOwner(container, exec), early);
    }

    /** Routes the exits of {@code pid} to the (restored) init; returns its exit when that was seen already. */
    synchronized Optional<ProcessExit> claimInitPid(Container container, int pid, EarlyExits early) {
        return claim(pid, new InitOwner(container), early);
    }

    private Optional<ProcessExit> claim(int pid, PidOwner owner, EarlyExits early) {
        Optional<ProcessExit> seen = early.find(pid);
        if (seen.isEmpty()) {
            byPid.put(pid, owner);
        }
        return seen;
    }

    synchronized Optional<Container> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    Container get(String id) {
        return find(id).orElseThrow(TaskErrors::containerNotCreated);
    }

    /** Drops the container and every pid still routed to it or its execs. */
    synchronized void remove(Container container) {
        byId.remove(container.id(), container);
        byPid.values().removeIf(owner -> owner.container() == container);
    }

    /** Stops routing exits to a deleted exec. */
    synchronized void forgetExec(ExecProcess exec) {
        byPid.values().removeIf(owner -> owner instanceof ExecOwner e && e.exec() == exec);
    }

    /**
     * The process with this pid, which stops owning the pid (it may be reused); empty when none, in which case
     * in-flight Creates and Starts remember the exit.
     */
    synchronized Optional<PidOwner> route(ProcessExit exit) {
        PidOwner owner = byPid.remove(exit.pid());
        if (owner == null) {
            watching.forEach(w -> w.record(exit));
        }
        return Optional.ofNullable(owner);
    }

    /** No container and no Create in flight. */
    synchronized boolean isEmpty() {
        return byId.isEmpty() && creating.isEmpty();
    }

    synchronized int size() {
        return byId.size();
    }
}
