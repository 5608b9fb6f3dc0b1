package io.jrunc.runc.task;

import io.jrunc.runc.process.ExecProcess;
import io.jrunc.runc.process.TaskErrors;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The exec processes of one container by exec id, with ids reserved while an Exec call sets one up. */
final class ExecTable {
    private final Map<String, ExecProcess> byId = new LinkedHashMap<>();
    private final Set<String> reserved = new HashSet<>();

    /** Takes {@code id} for an Exec in progress; false when it is in use or reserved already. */
    synchronized boolean reserve(String id) {
        if (byId.containsKey(id) || reserved.contains(id)) {
            return false;
        }
        reserved.add(id);
        return true;
    }

    synchronized void cancel(String id) {
        reserved.remove(id);
    }

    synchronized void add(ExecProcess exec) {
        reserved.remove(exec.id());
        byId.put(exec.id(), exec);
    }

    /** @throws io.jrunc.shim.errors.ShimException NOT_FOUND "process does not exist <id>" */
    synchronized ExecProcess get(String id) {
        ExecProcess exec = byId.get(id);
        if (exec == null) {
            throw TaskErrors.processDoesNotExist(id);
        }
        return exec;
    }

    synchronized void remove(ExecProcess exec) {
        byId.remove(exec.id(), exec);
    }

    synchronized List<ExecProcess> all() {
        return List.copyOf(byId.values());
    }

    /** The exec that was started with {@code pid} (Pids tells exec processes apart by it). */
    synchronized Optional<ExecProcess> withPid(int pid) {
        return byId.values().stream().filter(e -> pid > 0 && e.pid() == pid).findFirst();
    }
}
