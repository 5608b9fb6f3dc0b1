package io.jrunc.shim.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JulBridgeTest {

    @Test
    void julRecordsBecomeShimLogLines() {
        List<String> lines = new ArrayList<>();
        LogSink before = ShimLog.sink();
        Level threshold = ShimLog.threshold();
        ShimLog.install(lines::add, Level.INFO);
        try {
            JulBridge bridge = new JulBridge();
            LogRecord record = new LogRecord(java.util.logging.Level.WARNING, "channel {0} failed after {1} ms");
            record.setLoggerName("io.netty.Channel");
            record.setParameters(new Object[] {"c1", 1500});
            bridge.publish(record);
            bridge.publish(new LogRecord(java.util.logging.Level.FINE, "too detailed"));
            assertEquals(1, lines.size(), lines::toString);
            assertTrue(lines.get(0).contains("level=warning msg=\"channel c1 failed after 1500 ms\" logger=\"io.netty.Channel\""),
                    lines.get(0));
        } finally {
            ShimLog.install(before, threshold);
        }
    }

    @Test
    void levelsMapBothWays() {
        assertEquals(Level.ERROR, JulBridge.fromJul(java.util.logging.Level.SEVERE));
        assertEquals(Level.INFO, JulBridge.fromJul(java.util.logging.Level.CONFIG));
        assertEquals(Level.DEBUG, JulBridge.fromJul(java.util.logging.Level.FINE));
        assertEquals(Level.TRACE, JulBridge.fromJul(java.util.logging.Level.FINEST));
        assertEquals(java.util.logging.Level.FINE, JulBridge.toJul(Level.DEBUG));
        assertEquals(java.util.logging.Level.INFO, JulBridge.toJul(Level.INFO));
    }
}
