package io.jrunc.runc.logging;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoggerCommandTest {
    @Test
    void pathIsTheProgramAndEachQueryKeyGivesKeyAndFirstValue() {
        LoggerCommand c = LoggerCommand.parse("binary:///usr/local/bin/my%20logger?tag=web+app&level&tag=ignored&x=a%26b");
        assertEquals("/usr/local/bin/my logger", c.program());
        assertEquals(List.of("tag", "web app", "level", "", "x", "a&b"), c.args());
        assertEquals(List.of("/usr/local/bin/my logger", "tag", "web app", "level", "", "x", "a&b"), c.argv());
        assertEquals(List.of(), LoggerCommand.parse("binary-v2:///bin/logger").args());
    }

    @Test
    void theProgramMustBeAnAbsolutePath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoggerCommand.parse("binary://logger"));
        assertTrue(e.getMessage().contains("absolute path"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LoggerCommand.parse("binary:///bin/x?%zz"));
        assertThrows(IllegalArgumentException.class, () -> LoggerCommand.parse("binary:// bad"));
    }
}
