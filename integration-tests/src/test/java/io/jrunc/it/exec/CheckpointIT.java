package io.jrunc.it.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code ctr task checkpoint} on this machine, where criu cannot work ({@code criu check} fails in kerndat): the
 * Go shim's answer is the reference, ours must carry the same error class and keep the task running.
 */
class CheckpointIT extends ExecScenarios {

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void aFailedCheckpointHasTheGoShimsErrorClassAndTheTaskRunsOn(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            long pid = s.runDetached("ckpt", "/bin/sleep", "300");

            CommandResult checkpoint = s.ctr().run("task", "checkpoint", "ckpt");

            assertEquals(1, checkpoint.exitCode(), checkpoint::describe);
            // What the Go shim answers here: the first line of runc's error, where criu's log was copied, and
            // containerd's rendering of an unclassified (gRPC Unknown) shim error.
            Path dumpLog = s.containerd().bundle(s.namespace(), "ckpt").resolve("criu-dump.log");
            assertEquals("ctr: runc did not terminate successfully: exit status 1: criu failed: type DUMP errno 0 path= "
                    + dumpLog + ": unknown", checkpoint.stderr().strip());
            assertTrue(Files.exists(dumpLog), "criu's dump.log is copied next to the bundle's files");
            assertEquals("RUNNING", s.ctr().task("ckpt").orElseThrow().status());
            assertEquals(pid, s.ctr().task("ckpt").orElseThrow().pid());
        }
    }
}
