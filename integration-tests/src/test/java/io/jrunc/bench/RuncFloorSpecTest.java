package io.jrunc.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RuncFloorSpecTest {
    /** The parts of runc 1.1's `runc spec` output that the benchmark changes, in its formatting. */
    private static final String SPEC = """
            {
            \t"process": {
            \t\t"terminal": true,
            \t\t"args": [
            \t\t\t"sh"
            \t\t],
            \t\t"cwd": "/"
            \t},
            \t"root": {
            \t\t"path": "rootfs",
            \t\t"readonly": true
            \t}
            }
            """;

    @Test
    void runsTrueWithoutTerminalOnTheGivenRootfs() {
        String edited = RuncFloorBench.edit(SPEC, Path.of("/tmp/jrunc-rootfs-1/rootfs"));
        assertTrue(edited.contains("\"terminal\": false"), edited);
        assertTrue(edited.contains("\"args\": [\"/bin/true\"]"), edited);
        assertTrue(edited.contains("\"path\": \"/tmp/jrunc-rootfs-1/rootfs\""), edited);
        assertTrue(!edited.contains("\"sh\""), edited);
    }

    @Test
    void unexpectedSpecIsRefused() {
        assertThrows(IllegalStateException.class, () -> RuncFloorBench.edit("{\"process\": {}}", Path.of("/r")));
    }
}
