package io.jrunc.it.cgroups;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Leftovers;
import io.jrunc.it.harness.ScenarioSuite;
import io.jrunc.it.harness.ShimScenario;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * What the cgroup scenarios share: one private containerd and busybox rootfs per class, a
 * {@link ShimScenario} per test (GO is the reference, JAVA must behave the same), containerd's log on
 * failure, and containers run with resource limits (which {@link ShimScenario} has no option for).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class CgroupScenarios extends ScenarioSuite {
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    /** Whether containers get cgroup v2 (the root is the unified hierarchy), as runc and containerd decide. */
    static boolean unifiedHost() {
        return Files.isRegularFile(CGROUP_ROOT.resolve("cgroup.controllers"));
    }

    /** The Metrics type a runc shim must answer with on this host. */
    static String expectedMetricsType() {
        return unifiedHost() ? "io.containerd.cgroups.v2.Metrics" : "io.containerd.cgroups.v1.Metrics";
    }

    /**
     * A container run with ctr options {@link ShimScenario} does not offer (e.g. {@code --memory-limit}); on
     * close it is removed and checked to have left nothing behind (processes, mounts, socket, runc state,
     * cgroups, bundle).
     */
    static final class OwnContainer implements AutoCloseable {
        private final ShimScenario scenario;
        private final String id;
        private final Leftovers leftovers;

        OwnContainer(ShimScenario scenario, String id) {
            this.scenario = scenario;
            this.id = id;
            this.leftovers = Leftovers.snapshot(containerd, scenario.namespace(), rootfs.path());
        }

        /** {@code ctr run <options> --runtime <shim> --rootfs <busybox> <id> <command>}; returns ctr's result. */
        CommandResult run(List<String> options, String... command) {
            List<String> args = new ArrayList<>(List.of("run"));
            args.addAll(options);
            args.addAll(List.of("--runtime", scenario.shim().runtime(), "--rootfs", rootfs.path().toString(), id));
            args.addAll(List.of(command));
            return scenario.ctr().run(args.toArray(String[]::new));
        }

        /** Foreground {@code ctr run --rm} with a memory limit in bytes. */
        CommandResult runWithMemoryLimit(long bytes, String... command) {
            return run(List.of("--rm", "--fifo-dir", containerd.fifoDir().toString(), "--memory-limit", Long.toString(bytes)),
                    command);
        }

        @Override
        public void close() {
            try {
                scenario.remove(id);
            } finally {
                leftovers.assertNone(ShimScenario.LEFTOVER_GRACE, id);
            }
        }
    }
}
