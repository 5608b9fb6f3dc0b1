package io.jrunc.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Subreaping runs in a forked JVM: a subreaper test JVM would collect other tests' orphans. */
class SubreaperTest {

    @Test
    void orphanedGrandchildExitReachesSubscribers() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                SubreaperProbe.class.getName())
                .redirectErrorStream(true)
                .start();
        try {
            assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "probe finished");
            String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, probe.exitValue(), output);
            assertTrue(output.strip().matches("grandchild \\d+ status 7"), output);
        } finally {
            probe.destroyForcibly();
        }
    }
}
