package io.jrunc.runc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RuncRuntimeVersionTest {
    @Test
    void versionNamesTheBuildsRevision() {
        String v = new RuncRuntime().version();
        assertTrue(v.matches("jrunc runc runtime \\S+ \\(revision ([0-9a-f]{4,}|unknown)\\)"), v);
    }
}
