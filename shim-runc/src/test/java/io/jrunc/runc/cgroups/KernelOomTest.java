package io.jrunc.runc.cgroups;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.ProcessExit;
import io.jrunc.posix.Reaper;
import io.jrunc.posix.SpawnSpec;
import io.jrunc.runc.testsupport.Natives;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * OOM notification from the real kernel on a cgroup v1 host: a memory cgroup of our own with a 16 MiB limit,
 * a process in it that eats memory until the kernel kills it, and the eventfd registered through
 * cgroup.event_control. Needs root and a v1 memory hierarchy (the cgroup v2 path is covered by
 * {@link OomWatcherTest} with real inotify on a fake memory.events).
 */
@Timeout(60)
class KernelOomTest {
    private static final Path MEMORY = CgroupLocator.HOST_ROOT.resolve("memory");
    private static final long LIMIT = 16L << 20;
    private static final Duration ARRIVAL = Duration.ofSeconds(10);

    private Path cgroup;
    private final OomRecorder ooms = new OomRecorder();
    private OomWatcher watcher;
    private Reaper.Spawned child;

    @BeforeEach
    void setUp() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(CgroupMode.detect(CgroupLocator.HOST_ROOT) == CgroupMode.V1
                && Files.isWritable(MEMORY.resolve("cgroup.event_control")),
                "needs root on a cgroup v1 host (memory hierarchy at " + MEMORY + ")");
        cgroup = Files.createDirectory(MEMORY.resolve("jrunc-oomtest-" + UUID.randomUUID().toString().substring(0, 8)));
        Files.writeString(cgroup.resolve("memory.limit_in_bytes"), Long.toString(LIMIT));
        if (Files.exists(cgroup.resolve("memory.memsw.limit_in_bytes"))) {
            Files.writeString(cgroup.resolve("memory.memsw.limit_in_bytes"), Long.toString(LIMIT)); // no escape to swap
        }
        watcher = new OomWatcher(Natives.posix(), ooms);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (child != null && !child.exit().isDone()) {
            try {
                Natives.posix().kill(child.pid(), Posix.SIGKILL);
            } catch (PosixException e) {
                // already gone
            }
            child.exit().get(10, TimeUnit.SECONDS);
        }
        if (watcher != null) {
            watcher.close();
        }
        if (cgroup != null) {
            Files.deleteIfExists(cgroup);
        }
    }

    private ProcessExit runInCgroup(String script) throws Exception {
        child = Natives.reaper().spawn(new SpawnSpec(List.of("/bin/sh", "-c",
                "echo $$ > " + cgroup.resolve("cgroup.procs") + " && " + script), Map.of(), Optional.empty(), Map.of(), false));
        return child.exit().get(30, TimeUnit.SECONDS);
    }

    @Test
    void anOomKillIsReportedByTheTimeTheFinalCheckReturns() throws Exception {
        watcher.watch("hog", new Cgroup.V1(Map.of("memory", cgroup)));

        ProcessExit exit = runInCgroup("exec tail /dev/zero");

        assertEquals(137, exit.status(), "killed by the OOM killer");
        watcher.finalCheck("hog");
        List<String> reported = ooms.ids();
        assertFalse(reported.isEmpty(), "OOM reported before the exit would be published");
        assertTrue(reported.stream().allMatch("hog"::equals), reported::toString);
        assertTrue(Files.readString(cgroup.resolve("memory.oom_control")).contains("oom_kill 1"));
    }

    @Test
    void removingTheCgroupEndsTheWatchWithoutAReport() throws Exception {
        watcher.watch("quiet", new Cgroup.V1(Map.of("memory", cgroup)));
        assertEquals(0, runInCgroup("exit 0").status());
        watcher.finalCheck("quiet");
        assertEquals(List.of(), ooms.ids(), "no OOM, no report");

        Files.delete(cgroup); // the kernel signals the eventfd on removal

        long deadline = System.nanoTime() + ARRIVAL.toNanos();
        while (watcher.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, watcher.size(), "watch dropped once the cgroup is gone");
        assertEquals(List.of(), ooms.ids());
        cgroup = null;
    }
}
