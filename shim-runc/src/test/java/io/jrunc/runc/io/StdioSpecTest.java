package io.jrunc.runc.io;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class StdioSpecTest {
    @Test
    void schemeOfStdoutDecides() {
        assertEquals("fifo", spec("/run/containerd/fifo/1/c-stdout").scheme());
        assertEquals("fifo", spec("").scheme());
        assertEquals("file", spec("file:///var/log/c.log").scheme());
        assertEquals("binary", spec("binary:///usr/bin/logger?a=b").scheme());
        assertEquals("fifo", spec("/odd/path:with-colon").scheme());
        assertEquals("weird+x", spec("weird+x://y").scheme());
    }

    @Test
    void nullWhenNothingIsWired() {
        assertTrue(new StdioSpec("", "", "", false).isNull());
        assertFalse(new StdioSpec("", "", "/e", false).isNull());
    }

    private static StdioSpec spec(String stdout) {
        return new StdioSpec("", stdout, "", false);
    }
}
