package io.jrunc.shim.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogFormatTest {

    @Test
    void linesLookLikeTheGoShims() {
        String line = LogFormat.line(Instant.parse("2024-05-01T10:00:00.000000001Z"), Level.WARNING, "io.jrunc.X",
                "say \"hi\"\nthere", null, false);
        assertTrue(line.matches("time=\"2024-05-01T\\d\\d:\\d\\d:00\\.000000001(Z|[+-]\\d\\d:\\d\\d)\" level=warning "
                + "msg=\"say \\\\\"hi\\\\\"\\\\nthere\" logger=\"io.jrunc.X\"\n"), line);
    }

    @Test
    void errorsAreOneFieldAndStacksOnlyWhenAsked() {
        RuntimeException e = new RuntimeException("boom");
        String plain = LogFormat.line(Instant.now(), Level.ERROR, "l", "failed", e, false);
        assertTrue(plain.contains(" error=\"java.lang.RuntimeException: boom\" logger="), plain);
        assertTrue(!plain.contains("stack="));
        String debug = LogFormat.line(Instant.now(), Level.ERROR, "l", "failed", e, true);
        assertTrue(debug.contains(" stack=\"java.lang.RuntimeException: boom\\n\\tat "), debug);
        assertEquals(1, debug.lines().count());
    }

    @Test
    void integersAreNotGroupedUnlessThePatternSaysSo() {
        assertEquals("pid=1234567 size=1,234", LogFormat.format("pid={0,number,#} size={1,number}", new Object[] {1234567L, 1234}));
        assertEquals("a=1234 b=x", LogFormat.format("a={0} b={1}", new Object[] {1234, "x"}));
        assertEquals("bad {0 [1]", LogFormat.format("bad {0", new Object[] {1}));
    }

    @Test
    void levelNames() {
        assertEquals(List.of("trace", "debug", "info", "warning", "error"),
                List.of(Level.TRACE, Level.DEBUG, Level.INFO, Level.WARNING, Level.ERROR).stream().map(LogFormat::levelName).toList());
    }

    @Test
    void systemLoggersWriteThroughShimLog() {
        List<String> lines = new ArrayList<>();
        LogSink before = ShimLog.sink();
        Level threshold = ShimLog.threshold();
        ShimLog.install(lines::add, Level.INFO);
        try {
            System.Logger logger = System.getLogger("jrunc.test");
            logger.log(Level.DEBUG, "hidden");
            logger.log(Level.INFO, "pid={0} id={1}", 4926, "c1");
            assertEquals(1, lines.size(), lines::toString);
            assertTrue(lines.get(0).contains("level=info msg=\"pid=4926 id=c1\" logger=\"jrunc.test\""), lines.get(0));
        } finally {
            ShimLog.install(before, threshold);
        }
    }

    @Test
    void nothingIsFormattedWhileDiscarding() {
        LogSink before = ShimLog.sink();
        Level threshold = ShimLog.threshold();
        ShimLog.install(LogSink.DISCARD, Level.TRACE);
        try {
            assertTrue(!System.getLogger("jrunc.test").isLoggable(Level.ERROR));
        } finally {
            ShimLog.install(before, threshold);
        }
    }
}
