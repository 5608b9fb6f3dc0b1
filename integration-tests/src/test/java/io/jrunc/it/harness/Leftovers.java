package io.jrunc.it.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a scenario must not leave behind, scoped to one private containerd and one namespace (other
 * daemons may run on the same machine): processes (shims, runc, container processes), mounts,
 * shim sockets (and the JAVA shim's daemon state files, per container or shared by the namespace) in
 * /run/containerd/s, runc state dirs, cgroups and bundles of the scenario's containers.
 *
 * <p>Take a {@link #snapshot} before the scenario starts; after cleaning up, call {@link #assertNone}
 * with the container ids the scenario used.
 */
public final class Leftovers {
    private final PrivateContainerd ctd;
    private final String namespace;
    private final List<Path> extraDirs;
    private final Set<Long> pidsBefore;
    private final Set<Path> mountsBefore;

    private Leftovers(PrivateContainerd ctd, String namespace, List<Path> extraDirs, Set<Long> pidsBefore,
                      Set<Path> mountsBefore) {
        this.ctd = ctd;
        this.namespace = namespace;
        this.extraDirs = extraDirs;
        this.pidsBefore = pidsBefore;
        this.mountsBefore = mountsBefore;
    }

    /**
     * Records the processes alive now and the mounts already there (e.g. a test's own tmpfs as containerd's state
     * dir); {@code extraDirs} are also checked for mounts (e.g. a rootfs).
     */
    public static Leftovers snapshot(PrivateContainerd ctd, String namespace, Path... extraDirs) {
        Set<Long> pids = Procs.all().stream().map(Procs.ProcInfo::pid).collect(Collectors.toSet());
        List<Path> dirs = new ArrayList<>(List.of(extraDirs));
        dirs.add(ctd.dir());
        Set<Path> mounts = dirs.stream().flatMap(d -> Mounts.under(d).stream()).collect(Collectors.toSet());
        return new Leftovers(ctd, namespace, List.of(extraDirs), pids, mounts);
    }

    /** Everything left now, one description per item; empty when clean. */
    public List<String> find(String... containerIds) {
        List<String> found = new ArrayList<>();
        for (Procs.ProcInfo p : newProcessesOfThisScenario()) {
            found.add("process " + p);
        }
        List<Path> mountDirs = new ArrayList<>(extraDirs);
        mountDirs.add(ctd.dir());
        mountDirs.add(PrivateContainerd.RUNC_ROOT.resolve(namespace));
        for (Path dir : mountDirs) {
            for (Path m : Mounts.under(dir)) {
                if (mountsBefore.contains(m)) {
                    continue;
                }
                found.add("mount " + m);
            }
        }
        Path shared = JruncGrouping.sharedSocket(ctd.grpcSocket(), namespace);
        for (Path file : List.of(shared, JruncGrouping.stateFile(shared), JruncGrouping.statusFile(shared))) {
            if (Files.exists(file)) {
                found.add("shared shim daemon file " + file + " (namespace " + namespace + ")");
            }
        }
        for (String id : containerIds) {
            Path socket = ShimAddress.derived(ctd.grpcSocket(), namespace, id);
            if (Files.exists(socket)) {
                found.add("shim socket " + socket + " (container " + id + ")");
            }
            if (Files.exists(JruncGrouping.stateFile(socket))) {
                found.add("shim daemon state file " + JruncGrouping.stateFile(socket) + " (container " + id + ")");
            }
            Path runcState = PrivateContainerd.RUNC_ROOT.resolve(namespace).resolve(id);
            if (Files.exists(runcState)) {
                found.add("runc state " + runcState);
            }
            for (Path cg : Cgroups.ofContainer(namespace, id)) {
                found.add("cgroup " + cg);
            }
            Path bundle = ctd.bundle(namespace, id);
            if (Files.exists(bundle)) {
                found.add("bundle " + bundle);
            }
        }
        return found;
    }

    /** Waits up to {@code grace} for exits and cleanups to finish, then fails listing what is left. */
    public void assertNone(Duration grace, String... containerIds) {
        if (!Poll.until(grace, () -> find(containerIds).isEmpty())) {
            List<String> left = find(containerIds);
            if (!left.isEmpty()) {
                throw new AssertionError("left behind by namespace " + namespace + " (containers "
                        + Arrays.toString(containerIds) + "):\n  " + String.join("\n  ", left));
            }
        }
    }

    /**
     * New processes tied to this daemon or namespace: command lines naming our temp dir (shims get
     * "-address <dir>/containerd.sock", runc gets "--log <state>/..."), the namespace's runc root,
     * or processes in the namespace's cgroups (ctr puts containers in /&lt;ns&gt;/&lt;id&gt;).
     */
    private List<Procs.ProcInfo> newProcessesOfThisScenario() {
        long self = ProcessHandle.current().pid();
        long containerd = ctd.running() ? ctd.pid() : -1;
        String runcRoot = PrivateContainerd.RUNC_ROOT.resolve(namespace).toString();
        String cgroupMarker = "/" + namespace + "/";
        return Procs.all().stream()
                .filter(p -> !pidsBefore.contains(p.pid()) && p.pid() != self && p.pid() != containerd)
                .filter(p -> p.cmdline().contains(ctd.dir().toString())
                        || p.cmdline().contains(runcRoot)
                        || p.cgroup().contains(cgroupMarker))
                .filter(p -> Procs.alive(p.pid()))
                .toList();
    }
}
