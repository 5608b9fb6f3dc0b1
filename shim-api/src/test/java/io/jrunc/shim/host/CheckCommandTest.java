package io.jrunc.shim.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckCommandTest {

    private static String run(List<HostProbe> probes, int expectedStatus) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(expectedStatus, new CheckCommand(probes).run(new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void allMetExitsZeroAndSaysWhatWasFound() {
        String out = run(List.of(new HostProbe("runc on PATH", () -> "/usr/sbin/runc")), 0);
        assertEquals("ok       runc on PATH: /usr/sbin/runc\nthis host has everything jrunc needs\n", out);
    }

    @Test
    void aMissingRequirementOrAFailingProbeExitsOneAndSaysWhy() {
        String out = run(List.of(
                new HostProbe("splice(2)", () -> {
                    throw new HostProbe.Missing("splice: EINVAL");
                }),
                new HostProbe("broken probe", () -> {
                    throw new IllegalStateException();
                }),
                new HostProbe("fine", () -> "yes")), 1);
        assertEquals("""
                MISSING  splice(2): splice: EINVAL
                MISSING  broken probe: java.lang.IllegalStateException
                ok       fine: yes
                2 requirement(s) missing: jrunc cannot run containers here until they are met
                """, out);
    }

    @Test
    void theDaemonsRefusalNamesOnlyWhatIsMissing() {
        assertEquals("this host lacks what jrunc needs: splice(2): EINVAL; runc on PATH: not found"
                        + " (containerd-shim-jrunc-v2 check lists every requirement)",
                CheckCommand.describeMissing(List.of(HostRequirement.missing("splice(2)", "EINVAL"),
                        HostRequirement.met("epoll", "available"), HostRequirement.missing("runc on PATH", "not found"))));
    }
}
