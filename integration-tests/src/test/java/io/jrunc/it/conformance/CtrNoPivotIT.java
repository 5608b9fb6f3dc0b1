package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.ScenarioSuite;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code ctr run --no-pivot}: ctr sends containerd.runc.v1.Options to the Go shim (runtime io.containerd.runc.v2) and
 * containerd.linux.runc.CreateOptions to jrunc (which refused that type before); either way the container runs and
 * its output and exit code arrive.
 */
class CtrNoPivotIT extends ScenarioSuite {
    @ParameterizedTest
    @EnumSource(ShimUnderTest.class)
    void ctrsNoPivotOptionRunsTheContainer(ShimUnderTest shim) {
        try (ShimScenario s = begin(shim)) {
            String id = "nopivot";
            s.own(id);
            CommandResult r = s.ctr().run(s.ctrRunArgs(List.of("--rm", "--no-pivot", "--fifo-dir",
                    containerd.fifoDir().toString()), id, "/bin/sh", "-c", "echo hello; exit 3"));
            assertEquals("hello\n", r.stdout().replace("\r", ""), r.describe());
            assertEquals(3, r.exitCode(), r.describe());
        }
    }
}
