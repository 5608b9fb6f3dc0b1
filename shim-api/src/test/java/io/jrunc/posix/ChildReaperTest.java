package io.jrunc.posix;

import static io.jrunc.posix.ChildProcesses.ENV;
import static io.jrunc.posix.ChildProcesses.capture;
import static io.jrunc.posix.ChildProcesses.shell;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spawning and reaping for real. One reaper at a time: two waitpid(-1) loops would steal exits. */
class ChildReaperTest {
    private final JnrPosix posix = JnrPosix.instance();
    private ChildReaper reaper;

    @BeforeEach
    void startReaper() {
        reaper = ChildReaper.start(posix);
    }

    @AfterEach
    void closeReaper() {
        reaper.close();
    }

    private ProcessExit exitOf(Reaper.Spawned spawned) throws Exception {
        return spawned.exit().get(10, TimeUnit.SECONDS);
    }

    @Test
    void exitCodeIsReported() throws Exception {
        Reaper.Spawned spawned = reaper.spawn(shell("exit 3"));
        ProcessExit exit = exitOf(spawned);
        assertEquals(spawned.pid(), exit.pid());
        assertEquals(3, exit.status());
    }

    @Test
    void deathBySignalIs128PlusTheSignal() throws Exception {
        Reaper.Spawned spawned = reaper.spawn(new SpawnSpec(List.of("sleep", "60"), ENV, Optional.empty(), Map.of(), false));
        posix.kill(spawned.pid(), Posix.SIGKILL);
        assertEquals(137, exitOf(spawned).status());
    }

    @Test
    void mappedFdsReachTheChild() throws Exception {
        int[] pipe = posix.pipe();
        Reaper.Spawned spawned;
        try {
            spawned = reaper.spawn(new SpawnSpec(List.of("/bin/sh", "-c", "echo hello >&5"), ENV, Optional.empty(),
                    Map.of(5, pipe[1]), false));
        } finally {
            posix.close(pipe[1]);
        }
        assertEquals("hello\n", ChildProcesses.readAll(posix, pipe[0]));
        assertEquals(0, exitOf(spawned).status());
    }

    @Test
    void childGetsOnlyTheNamedFdsAndDevNullStdio() throws Exception {
        // The JVM holds jars and /dev/random open without close-on-exec; none of that may leak.
        try (FileInputStream inheritable = new FileInputStream("/etc/hostname")) {
            assertTrue(inheritable.getFD().valid());
            int[] extra = posix.pipe();
            try {
                // ls and readlink are separate processes, so the listing shows the shell's fds only.
                ChildProcesses.Captured run = capture(reaper, posix, new SpawnSpec(
                        List.of("/bin/sh", "-c", "ls /proc/$$/fd; echo --; cd /proc/$$/fd && readlink 0 1 2 7"),
                        ENV, Optional.empty(), Map.of(7, extra[0]), false));
                assertEquals(0, exitOf(run.spawned()).status());
                String[] parts = run.output().split("--\n");
                assertEquals(Set.of("0", "1", "2", "7"), new TreeSet<>(Arrays.asList(parts[0].strip().split("\n"))),
                        () -> "child fds: " + run.output());
                String[] links = parts[1].split("\n");
                assertEquals("/dev/null", links[0]);
                assertTrue(links[1].startsWith("pipe:"), links[1]);
                assertEquals("/dev/null", links[2]);
                assertTrue(links[3].startsWith("pipe:"), links[3]);
            } finally {
                posix.close(extra[0]);
                posix.close(extra[1]);
            }
        }
    }

    @Test
    void workingDirectoryAndEnvironmentAreTheSpecs(@TempDir Path dir) throws Exception {
        ChildProcesses.Captured run = capture(reaper, posix, new SpawnSpec(
                List.of("/bin/sh", "-c", "pwd; echo \"$JRUNC_TEST\"; env | grep -c ."),
                Map.of("JRUNC_TEST", "a b", "PATH", "/usr/bin:/bin"), Optional.of(dir), Map.of(), false));
        assertEquals(0, exitOf(run.spawned()).status());
        String[] lines = run.output().split("\n");
        assertEquals(dir.toRealPath().toString(), lines[0]);
        assertEquals("a b", lines[1]);
        // dash adds PWD (and nothing we did not pass besides it)
        assertTrue(Integer.parseInt(lines[2]) <= 3, run.output());
    }

    @Test
    void newSessionMakesTheChildASessionLeader() throws Exception {
        String script = "echo $$ $(cut -d' ' -f6 /proc/$$/stat)";
        ChildProcesses.Captured own = capture(reaper, posix, new SpawnSpec(List.of("/bin/sh", "-c", script), ENV,
                Optional.empty(), Map.of(), true));
        String[] ids = own.output().strip().split(" ");
        assertEquals(ids[0], ids[1], "pid == session id");
        ChildProcesses.Captured inherited = capture(reaper, posix, shell(script));
        String[] same = inherited.output().strip().split(" ");
        assertNotEquals(same[0], same[1]);
        assertEquals(0, exitOf(own.spawned()).status());
        assertEquals(0, exitOf(inherited.spawned()).status());
    }

    @Test
    void childStartsWithNoBlockedSignals() throws Exception {
        // JVM threads block SIGQUIT; exec grep directly so it reports the mask posix_spawn gave it.
        ChildProcesses.Captured run = capture(reaper, posix, new SpawnSpec(
                List.of("grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"), ENV, Optional.empty(), Map.of(), false));
        assertEquals(0, exitOf(run.spawned()).status());
        assertTrue(run.output().contains("SigBlk:\t0000000000000000"), run.output());
        // No standard signal ignored (glibc's internal real-time signals 32 and 33 may be).
        String ignored = run.output().lines().filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow();
        assertEquals(0, Long.parseLong(ignored.substring("SigIgn:".length()).strip(), 16) & 0x7fffffffL, ignored);
    }

    @Test
    void aProgramThatDoesNotExistFailsWithEnoentAndTheReaperGoesOn() throws Exception {
        PosixException e = assertThrows(PosixException.class, () -> reaper.spawn(
                new SpawnSpec(List.of("/nonexistent/jrunc-test"), ENV, Optional.empty(), Map.of(), false)));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("/nonexistent/jrunc-test"), e.getMessage());
        assertEquals(4, exitOf(reaper.spawn(shell("exit 4"))).status());
    }

    @Test
    void instantExitsAreNeverLost() throws Exception {
        List<Reaper.Spawned> spawned = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            spawned.add(reaper.spawn(new SpawnSpec(List.of("true"), ENV, Optional.empty(), Map.of(), false)));
        }
        for (Reaper.Spawned s : spawned) {
            assertEquals(0, exitOf(s).status());
        }
    }

    @Test
    void subscribersSeeEveryExitAndAThrowingOneStopsNothing() throws Exception {
        BlockingQueue<ProcessExit> seen = new LinkedBlockingQueue<>();
        reaper.subscribe(exit -> {
            throw new IllegalStateException("subscriber bug");
        });
        reaper.subscribe(seen::add);
        Reaper.Spawned first = reaper.spawn(shell("exit 5"));
        assertEquals(5, exitOf(first).status());
        Reaper.Spawned second = reaper.spawn(shell("exit 6"));
        assertEquals(6, exitOf(second).status());
        // subscribers run before the future completes
        assertEquals(List.of(first.pid(), second.pid()), List.of(seen.take().pid(), seen.take().pid()));
    }

    @Test
    void aReaperWithoutChildrenWakesForTheNextSpawn() throws Exception {
        assertEquals(0, exitOf(reaper.spawn(shell("exit 0"))).status());
        // Wait for the state under test: the loop hit ECHILD and sleeps on its condition.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!reaper.sleepingUntilSpawn()) {
            assertTrue(System.nanoTime() < deadline, "the reaper never went to sleep without children");
            Thread.sleep(1);
        }
        assertEquals(8, exitOf(reaper.spawn(shell("exit 8"))).status());
    }

    @Test
    void closeCancelsWaitersAndStopsTheLoop() throws Exception {
        Reaper.Spawned sleeper = reaper.spawn(new SpawnSpec(List.of("sleep", "60"), ENV, Optional.empty(), Map.of(), false));
        reaper.close();
        assertThrows(CancellationException.class, () -> sleeper.exit().get(5, TimeUnit.SECONDS));
        assertThrows(IllegalStateException.class, () -> reaper.spawn(shell("exit 0")));

        // Clean up: a fresh reaper collects the sleeper once it is killed.
        reaper = ChildReaper.start(posix);
        BlockingQueue<ProcessExit> seen = new LinkedBlockingQueue<>();
        reaper.subscribe(seen::add);
        posix.kill(sleeper.pid(), Posix.SIGKILL);
        reaper.spawn(shell("exit 0")); // wakes the new loop if it already saw ECHILD
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean reaped = false;
        while (!reaped && System.nanoTime() < deadline) {
            ProcessExit exit = seen.poll(1, TimeUnit.SECONDS);
            reaped = exit != null && exit.pid() == sleeper.pid();
        }
        assertTrue(reaped, "killed sleeper reaped by the next reaper");
        assertFalse(Files.exists(Path.of("/proc", Integer.toString(sleeper.pid()), "status"))
                && Files.readString(Path.of("/proc", Integer.toString(sleeper.pid()), "status")).contains("zombie"));
    }
}
