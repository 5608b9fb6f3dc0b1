package io.jrunc.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Mounts;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.services.tasks.v1.DeleteResponse;
import io.jrunc.proto.services.tasks.v1.DeleteTaskRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bundles on a full filesystem: containerd's state dir (where bundles live) is a 4 MiB tmpfs. A container started
 * before it fills keeps running; with the filesystem full, a new container and an exec fail with a message naming
 * the cause; with one page left (room for containerd's config.json, not for what the shim writes next) the start
 * fails too; once space is freed everything works again, and nothing of the failed attempts is left.
 */
class FullFilesystemIT extends FaultScenarios {
    private static Path state;

    @BeforeAll
    static void stateOnASmallTmpfs() {
        state = containerd.stateDir();
        containerd.stop();
        Command.run(Duration.ofSeconds(10), List.of("mount", "-t", "tmpfs", "-o", "size=4m,mode=0711", "jrunc-full-fs",
                state.toString())).orThrow();
        containerd.restart();
    }

    @AfterAll
    static void unmount() {
        if (state != null && !Mounts.under(state).isEmpty()) {
            containerd.stop();
            Mounts.unmountAll(state);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void bundleOnAFullFilesystem(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            s.runDetached("early", "/bin/sleep", "300");
            Path fill = state.resolve("fill");
            CommandResult full;
            CommandResult exec;
            CommandResult onePage;
            try {
                fillUp(fill, 0);
                full = s.runForeground("late", "/bin/echo", "hi");
                exec = s.ctr().run("task", "exec", "--exec-id", "e1", "early", "/bin/echo", "hi");
                fillUp(fill, 4096);
                onePage = s.runForeground("late2", "/bin/echo", "hi");
                assertEquals("RUNNING", s.ctr().task("early").orElseThrow().status(), "the running container is untouched");
            } finally {
                Files.deleteIfExists(fill);
            }
            FaultLog.record("bundle-fs-full", shim, "new container: exit " + full.exitCode() + " " + full.stderr().strip()
                    + " || exec: exit " + exec.exitCode() + " " + exec.stderr().strip()
                    + " || one page left, new container: exit " + onePage.exitCode() + " " + onePage.stderr().strip());
            assertFalse(full.ok(), full::describe);
            assertTrue(full.stderr().contains("no space left on device"), full::describe);
            assertFalse(exec.ok(), exec::describe);
            assertFalse(onePage.ok(), onePage::describe);
            for (String id : List.of("late", "late2")) {
                assertFalse(s.ctr().task(id).isPresent(), "no task " + id + " after a failed start: " + s.ctr().tasks());
                assertFalse(Files.exists(containerd.bundle(s.namespace(), id)), "no bundle " + id + " after a failed start");
            }

            CommandResult again = s.ctr().run("task", "exec", "--exec-id", "e2", "early", "/bin/echo", "hi");
            assertEquals("hi\n", again.stdout(), again::describe);
            CommandResult late = s.runForeground("late3", "/bin/sh", "-c", "echo ok; exit 6");
            assertEquals(6, late.exitCode(), late::describe);
            assertEquals("ok\n", late.stdout(), late::describe);
            s.ctr().ok("task", "kill", "-s", "SIGKILL", "early");
            s.awaitStopped("early", SETTLE);
            DeleteResponse deleted = s.client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId("early").build());
            assertEquals(137, deleted.getExitStatus(), deleted::toString);
        }
    }

    /** Writes {@code file} until the filesystem is full, then frees {@code leave} bytes of it again. */
    private static void fillUp(Path file, long leave) throws IOException {
        byte[] block = new byte[4096];
        long written = Files.exists(file) ? Files.size(file) : 0;
        try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(block);
                out.flush();
                written += block.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        if (leave > 0) {
            try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(Math.max(0, ((Files.size(file) - leave) / 4096) * 4096));
            }
        }
    }
}
