package io.jrunc.runc.task;

import io.jrunc.posix.ProcessExit;
import io.jrunc.runc.process.TaskErrors;
import io.jrunc.ttrpc.TtrpcException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The containers of this daemon by id and by init pid, and the exits seen while containers are being
 * created: runc's init can exit before the shim has read its pid from {@code init.pid}.
 */
final class ContainerRegistry {
    /** Exits remembered per in-flight Create; only the last ones matter (runc create takes milliseconds). */
    static final int MAX_EARLY_EXITS = 4096;

    private final Map<String, Container> byId = new HashMap<>();
    private final Map<Integer, Container> byPid = new HashMap<>();
    private final Set<String> creating = new HashSet<>();
    private final List<EarlyExits> watching = new ArrayList<>();

    /** Exits that no container claimed while one Create was in flight. */
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
            throw TtrpcException.alreadyExists("container " + id + ": already exists");
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
     * exits of its pid are routed to it by {@link #route}.
     */
    synchronized Optional<ProcessExit> register(Container container, EarlyExits early) {
        watching.remove(early);
        creating.remove(early.id);
        byId.put(container.id(), container);
        int pid = container.init().pid();
        Optional<ProcessExit> seen = early.find(pid);
        if (seen.isEmpty()) {
            byPid.put(pid, container);
        }
        return seen;
    }

    synchronized Optional<Container> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    Container get(String id) {
        return find(id).orElseThrow(TaskErrors::containerNotCreated);
    }

    synchronized void remove(Container container) {
        byId.remove(container.id(), container);
        byPid.remove(container.init().pid(), container);
    }

    /**
     * The container whose init has this pid, which stops owning the pid (it may be reused); empty when none,
     * in which case in-flight Creates remember the exit.
     */
    synchronized Optional<Container> route(ProcessExit exit) {
        Container owner = byPid.remove(exit.pid());
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
