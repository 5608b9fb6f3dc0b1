package io.jrunc.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.FileTrees;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.services.tasks.v1.DeleteResponse;
import io.jrunc.proto.services.tasks.v1.DeleteTaskRequest;
import io.jrunc.proto.services.tasks.v1.KillRequest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Faults around a running shim: the shim stopped (SIGSTOP) for 15 s, the reader of a container's stdout fifo
 * killed while the container writes, 500 zombie children in a container, and the pid of an exited init reused
 * by an unrelated process before the task is deleted.
 */
class DaemonFaultsIT extends FaultScenarios {
    private static final Duration STOPPED_FOR = Duration.ofSeconds(15);

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void shimStoppedFor15SecondsThenContinued(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            s.runDetached("bystander", "/bin/sleep", "300");
            Command.Background run = s.startForeground("sleeper", "/bin/sh", "-c", "echo before; sleep 3; echo after; exit 3");
            Poll.require(SETTLE, () -> s.ctr().task("sleeper").map(t -> t.status().equals("RUNNING")).orElse(false),
                    () -> "sleeper running: " + s.ctr().tasks());
            long shimPid = shimOf(s, "sleeper");

            long stoppedAt = System.nanoTime();
            signal("STOP", shimPid);
            Command.Background list;
            try {
                Thread.sleep(1000);
                assertEquals('T', Procs.stat(shimPid).orElseThrow().state(), "the shim is stopped");
                // A call while the shim is stopped: containerd asks every shim of the namespace for its state.
                list = s.ctr().withTimeout(Duration.ofSeconds(60)).start("task", "ls");
                Thread.sleep(STOPPED_FOR.toMillis() - 1000);
            } finally {
                signal("CONT", shimPid);
            }
            double continuedAfter = (System.nanoTime() - stoppedAt) / 1e9;
            CommandResult listed = list.await(Duration.ofSeconds(60));
            double listReturned = (System.nanoTime() - stoppedAt) / 1e9;
            CommandResult result = run.await(Duration.ofSeconds(60));

            FaultLog.record("shim-sigstop-15s", shim, String.format("ctr task ls during the stop returned %.1f s after "
                            + "SIGSTOP (SIGCONT at %.1f s), exit %d; ctr run of the container that exited meanwhile: exit %d, stdout %s",
                    listReturned, continuedAfter, listed.exitCode(), result.exitCode(), result.stdout().replace("\n", "\\n")));
            assertTrue(listed.ok(), listed::describe);
            assertTrue(listed.stdout().contains("bystander"), listed::describe);
            assertEquals(3, result.exitCode(), result::describe);
            assertEquals("before\nafter\n", result.stdout(), result::describe);
            if (shim == ShimUnderTest.JAVA) {
                assertTrue(Procs.running(shimPid), "the namespace daemon runs on");
            }

            s.ctr().ok("task", "kill", "-s", "SIGKILL", "bystander");
            s.awaitStopped("bystander", SETTLE);
            DeleteResponse deleted = s.client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId("bystander").build());
            assertEquals(137, deleted.getExitStatus(), deleted::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void stdoutReaderKilledMidStream(ShimUnderTest shim) throws Exception {
        String id = "stream";
        try (ShimScenario s = begin(shim)) {
            Command.Background reader = s.startForeground(id, "/bin/sh", "-c",
                    "i=0; while [ $i -lt 3000000 ]; do echo line-$i; i=$((i+1)); done; exit 5");
            Poll.require(SETTLE, () -> s.ctr().task(id).map(t -> t.status().equals("RUNNING")).orElse(false),
                    () -> id + " running: " + s.ctr().tasks());
            long pid = s.ctr().task(id).orElseThrow().pid();
            Thread.sleep(1500);
            // SIGKILL by its pid (Process.destroyForcibly would also close our end of its output).
            signal("KILL", reader.process().pid());
            reader.process().waitFor(10, TimeUnit.SECONDS);
            String read = reader.out().get(10, TimeUnit.SECONDS);
            int lines = assertContiguous(read);
            assertTrue(lines > 100, "the reader got output before it was killed: " + lines + " lines");

            // What the writer does once nobody reads its output any more.
            Thread.sleep(3000);
            String status = s.ctr().task(id).map(Object::toString).orElse("no task");
            char state = Procs.stat(pid).map(Procs.Stat::state).orElse('-');
            String wchan = Files.exists(Path.of("/proc", Long.toString(pid), "wchan"))
                    ? Files.readString(Path.of("/proc", Long.toString(pid), "wchan")) : "-";

            String ended;
            if (s.ctr().task(id).map(t -> t.status().equals("RUNNING")).orElse(false)) {
                s.ctr().ok("task", "kill", "-s", "SIGKILL", id);
                s.awaitStopped(id, SETTLE);
                ended = "killed by ctr task kill";
            } else {
                ended = "ended by itself";
            }
            DeleteResponse deleted = s.client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
            FaultLog.record("stdout-reader-killed", shim, "reader got " + lines + " contiguous lines; 3 s later task " + status
                    + ", writer state " + state + " wchan " + wchan.strip() + "; "
                    + ended + ", Delete exit_status " + deleted.getExitStatus());
            if (ended.startsWith("killed")) {
                assertEquals(137, deleted.getExitStatus(), deleted::toString);
            }
            removeFifosOf(id);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void fiveHundredZombieChildren(ShimUnderTest shim) throws Exception {
        String id = "zombies";
        try (ShimScenario s = begin(shim)) {
            // A subshell forks 500 children (each sleeping 3 s, so that the shell cannot reap them while it forks) and
            // then becomes sleep, which never waits: they turn into zombies. When it exits they go to the container's
            // init (sh), which reaps what it finds and exits 7.
            Command.Background run = s.startForeground(id, "/bin/sh", "-c",
                    "(for i in $(seq 500); do sleep 3 & done; echo spawned; exec sleep 12); echo done; exit 7");
            Poll.require(SETTLE, () -> s.ctr().task(id).map(t -> t.status().equals("RUNNING")).orElse(false),
                    () -> id + " running: " + s.ctr().tasks());
            long init = s.ctr().task(id).orElseThrow().pid();
            Poll.require(SETTLE, () -> zombiesUnder(init) >= 500, () -> "500 zombies under " + init + ": " + zombiesUnder(init));
            int zombies = zombiesUnder(init);
            long shimPid = shimOf(s, id);

            // The shim serves calls and other containers meanwhile.
            assertEquals("RUNNING", s.ctr().task(id).orElseThrow().status());
            CommandResult neighbour = s.runForeground("neighbour", "/bin/echo", "unaffected");
            assertEquals("unaffected\n", neighbour.stdout(), neighbour::describe);

            CommandResult result = run.await(Duration.ofSeconds(60));
            FaultLog.record("500-zombies", shim, zombies + " zombies seen under the init; neighbour ran; ctr run exit "
                    + result.exitCode() + ", stdout " + result.stdout().replace("\n", "\\n"));
            assertEquals(7, result.exitCode(), result::describe);
            assertEquals("spawned\ndone\n", result.stdout(), result::describe);
            assertEquals(0, zombiesUnder(init), "no zombie outlives the container");
            assertTrue(Procs.running(shimPid) || shim == ShimUnderTest.GO, "the namespace daemon runs on");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void pidOfAnExitedInitReusedBeforeDelete(ShimUnderTest shim) throws Exception {
        String id = "reused";
        try (ShimScenario s = begin(shim)) {
            long pid = s.runDetached(id, "/bin/sh", "-c", "sleep 1; exit 3");
            s.awaitStopped(id, SETTLE);
            long impostor = takePid(pid);
            try {
                assertEquals(pid, impostor, "an unrelated process now has the exited init's pid");
                assertEquals("STOPPED", s.ctr().task(id).orElseThrow().status());
                String kill;
                try {
                    s.client().tasks().kill(KillRequest.newBuilder().setContainerId(id).setSignal(9).build());
                    kill = "Kill(SIGKILL) answered OK";
                } catch (StatusRuntimeException e) {
                    kill = "Kill(SIGKILL) answered " + e.getStatus().getCode() + " " + e.getStatus().getDescription();
                }
                Thread.sleep(500);
                assertTrue(Procs.running(impostor), "a Kill of the stopped task must not reach pid " + impostor + " (" + kill + ")");
                DeleteResponse deleted = s.client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
                assertEquals(3, deleted.getExitStatus(), deleted::toString);
                assertEquals(pid, deleted.getPid(), deleted::toString);
                Thread.sleep(500);
                assertTrue(Procs.running(impostor), "Delete must not signal pid " + impostor);
                FaultLog.record("init-pid-reused", shim, kill + "; impostor untouched; Delete exit_status "
                        + deleted.getExitStatus());
            } finally {
                ProcessHandle.of(impostor).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /**
     * Starts {@code sleep 120} with pid {@code pid} (setting ns_last_pid just below it; retried while some other
     * fork wins the race) and returns its pid; the process is left running for the caller to kill by that pid.
     */
    private static long takePid(long pid) {
        long got = -1;
        for (int attempt = 0; attempt < 50 && got != pid; attempt++) {
            if (got > 0) {
                long other = got;
                ProcessHandle.of(other).ifPresent(ProcessHandle::destroyForcibly);
            }
            CommandResult r = Command.run(Duration.ofSeconds(10), List.of("/bin/sh", "-c",
                    "echo " + (pid - 1) + " > /proc/sys/kernel/ns_last_pid && { sleep 120 </dev/null >/dev/null 2>&1 & echo $!; }"));
            got = Long.parseLong(r.orThrow().stdout().strip());
        }
        return got;
    }

    private static void signal(String signal, long pid) {
        Command.run(Duration.ofSeconds(10), List.of("kill", "-" + signal, Long.toString(pid))).orThrow();
    }

    /** Checks that {@code out} is line-0, line-1, ... (a last partial line allowed); returns the complete lines. */
    private static int assertContiguous(String out) {
        String[] lines = out.split("\n", -1);
        int complete = lines.length - 1;
        for (int i = 0; i < complete; i++) {
            assertEquals("line-" + i, lines[i], "line " + i + " of what the reader got");
        }
        return complete;
    }

    /** Zombies among the descendants of {@code ancestor} (/proc/&lt;pid&gt;/stat state Z). */
    private static int zombiesUnder(long ancestor) {
        return (int) allPids().filter(p -> Procs.stat(p).map(st -> st.state() == 'Z').orElse(false)
                && Procs.isDescendantOf(p, ancestor)).count();
    }

    private static Stream<Long> allPids() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"),
                p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            List<Long> pids = new java.util.ArrayList<>();
            dirs.forEach(d -> pids.add(Long.parseLong(d.getFileName().toString())));
            return pids.stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A killed ctr cannot remove its own stdio fifos (ctr makes and removes them, not the shim). */
    private static void removeFifosOf(String id) throws IOException {
        Path dir = containerd.fifoDir();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> sets = Files.list(dir)) {
            for (Path set : sets.toList()) {
                try (Stream<Path> files = Files.list(set)) {
                    if (files.anyMatch(f -> f.getFileName().toString().startsWith(id + "-"))) {
                        FileTrees.deleteRecursively(set);
                    }
                }
            }
        }
    }
}
