package io.jrunc.it.cri;

import io.jrunc.it.harness.Cgroups;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Leftovers;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.Procs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a CRI pod must not leave behind once it is stopped and removed: everything {@link Leftovers} checks in the
 * k8s.io namespace (processes, mounts, shim sockets, runc state, bundles), plus what CRI itself makes: the pod's
 * cgroups under its own cgroup parent (and processes still in them), the plugin's sandbox and container dirs
 * in containerd's root and state, and containerd containers and snapshots named after the pod's ids.
 */
final class CriLeftovers {
    private static final String CRI_PLUGIN_DIR = "io.containerd.grpc.v1.cri";

    private final PrivateContainerd ctd;
    private final Leftovers base;
    private final String cgroupParent;
    private final Set<Long> pidsBefore;

    private CriLeftovers(PrivateContainerd ctd, Leftovers base, String cgroupParent, Set<Long> pidsBefore) {
        this.ctd = ctd;
        this.base = base;
        this.cgroupParent = cgroupParent;
        this.pidsBefore = pidsBefore;
    }

    /** Takes the snapshot before the pod runs; {@code cgroupParent} is the pod's cgroup parent without slashes. */
    static CriLeftovers snapshot(PrivateContainerd ctd, String cgroupParent, Path... extraDirs) {
        Set<Long> pids = Procs.all().stream().map(Procs.ProcInfo::pid).collect(Collectors.toSet());
        return new CriLeftovers(ctd, Leftovers.snapshot(ctd, BusyboxImages.CRI_NAMESPACE, extraDirs), cgroupParent, pids);
    }

    /** Everything left now for the pod's sandbox and container ids, one description per item. */
    List<String> find(String... ids) {
        List<String> found = new ArrayList<>(base.find(ids));
        String marker = "/" + cgroupParent + "/";
        for (Procs.ProcInfo p : Procs.all()) {
            if (!pidsBefore.contains(p.pid()) && p.cgroup().contains(marker) && Procs.alive(p.pid())) {
                found.add("process in the pod's cgroups " + p);
            }
        }
        for (String id : ids) {
            for (Path cg : Cgroups.ofContainer(cgroupParent, id)) {
                found.add("cgroup " + cg);
            }
            for (Path top : List.of(ctd.rootDir(), ctd.stateDir())) {
                for (String kind : List.of("sandboxes", "containers")) {
                    Path dir = top.resolve(CRI_PLUGIN_DIR).resolve(kind).resolve(id);
                    if (Files.exists(dir)) {
                        found.add("CRI " + kind + " dir " + dir);
                    }
                }
            }
        }
        List<String> known = List.of(ids);
        for (String container : listed(found, "containers", "ls", "-q")) {
            if (known.contains(container)) {
                found.add("containerd container " + container);
            }
        }
        for (String snapshot : listed(found, "snapshots", "ls")) {
            if (known.contains(snapshot)) {
                found.add("snapshot " + snapshot);
            }
        }
        return found;
    }

    /**
     * Waits up to {@code grace} for nothing to be left, then removes the pod's (empty) cgroup parent, which
     * nobody else removes; fails listing whatever is still there.
     */
    void assertNone(Duration grace, String... ids) {
        Poll.until(grace, () -> find(ids).isEmpty());
        List<String> left = new ArrayList<>(find(ids));
        for (Path kept : Cgroups.removeNamespace(cgroupParent)) {
            left.add("cgroup parent still busy " + kept);
        }
        if (!left.isEmpty()) {
            throw new AssertionError("left behind by CRI pod (ids " + Arrays.toString(ids) + ", cgroup parent /"
                    + cgroupParent + "):\n  " + String.join("\n  ", left));
        }
    }

    /**
     * First column of a ctr listing in the k8s.io namespace (header lines never equal an id); a failing ctr is
     * itself reported in {@code found}, since then nothing can be said about what is left.
     */
    private List<String> listed(List<String> found, String... args) {
        CommandResult r = BusyboxImages.ctr(ctd).run(args);
        if (!r.ok()) {
            found.add("cannot check: " + r.describe());
            return List.of();
        }
        return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+")[0]).toList();
    }
}
