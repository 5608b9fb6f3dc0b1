package io.jrunc.it.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimDaemon;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shim daemon as a process: detached from containerd (re-parented to PID 1, its own process
 * group) so it outlives containerd, the only holder of its listening socket, the parent (subreaper)
 * of the container's init, and the transient {@code start} process gone once {@code ctr run} returns.
 */
class ShimProcessIT extends LifecycleScenarios {

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void shimDaemonIsDetachedFromContainerdAndParentsTheContainer(ShimUnderTest shim) throws IOException {
        String id = "detached";
        try (ShimScenario s = begin(shim)) {
            long taskPid = s.runDetached(id, "/bin/sleep", "300");

            // Exactly one process listens on the address-file socket, and it is the -id/-namespace daemon.
            long daemon = ShimDaemon.pid(s.containerd(), s.namespace(), id);
            Procs.Stat stat = Procs.stat(daemon).orElseThrow();
            String described = daemon + " (" + Procs.cmdline(daemon).orElse("?") + "): " + stat;

            assertEquals(1, stat.ppid(), "shim daemon re-parented to PID 1: " + described);
            assertFalse(Procs.isDescendantOf(daemon, s.containerd().pid()), "shim daemon outside containerd's tree: " + described);
            assertEquals(daemon, stat.pgid(), "shim daemon leads its own process group: " + described);
            assertEquals(s.containerd().bundle(s.namespace(), id), Files.readSymbolicLink(Path.of("/proc", Long.toString(daemon), "cwd")),
                    "shim daemon works in the bundle: " + described);
            String exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(daemon), "exe")).getFileName().toString();
            switch (shim) {
                case GO -> assertEquals(shim.binaryName(), exe, described);
                case JAVA -> assertEquals("java", exe, "the JAVA shim daemon is a JVM: " + described);
            }

            assertEquals(daemon, Procs.stat(taskPid).orElseThrow().ppid(),
                    "container init " + taskPid + " is the shim daemon's child (subreaper)");

            List<Procs.ProcInfo> starters = Procs.all().stream()
                    .filter(p -> isStartAction(p.cmdline(), s.namespace(), id)).toList();
            assertTrue(starters.isEmpty(), "the shim's start action has exited: " + starters);
        }
    }

    private static boolean isStartAction(String cmdline, String namespace, String id) {
        List<String> args = Arrays.asList(cmdline.split(" "));
        int ns = args.indexOf("-namespace");
        int i = args.indexOf("-id");
        return args.contains("start") && ns >= 0 && ns + 1 < args.size() && args.get(ns + 1).equals(namespace)
                && i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(id);
    }
}
