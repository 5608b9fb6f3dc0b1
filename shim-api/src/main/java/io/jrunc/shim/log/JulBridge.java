package io.jrunc.shim.log;

import java.lang.System.Logger.Level;
import java.util.logging.Handler;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sends java.util.logging (which Netty falls back to) through {@link ShimLog} instead of the
 * console handler's stderr.
 */
public final class JulBridge extends Handler {

    JulBridge() {}

    /** Replaces JUL's handlers with the bridge; the root level follows {@link ShimLog#threshold()}. */
    public static void install() {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(toJul(ShimLog.threshold()));
        root.addHandler(new JulBridge());
    }

    @Override
    public void publish(LogRecord record) {
        Level level = fromJul(record.getLevel());
        if (!ShimLog.isLoggable(level)) {
            return;
        }
        String message = record.getMessage();
        Object[] params = record.getParameters();
        if (message != null && params != null && params.length > 0) {
            message = LogFormat.format(message, params);
        }
        String name = record.getLoggerName() == null ? "jul" : record.getLoggerName();
        ShimLog.log(name, level, message, record.getThrown());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    static Level fromJul(java.util.logging.Level level) {
        int value = level.intValue();
        if (value >= java.util.logging.Level.SEVERE.intValue()) {
            return Level.ERROR;
        }
        if (value >= java.util.logging.Level.WARNING.intValue()) {
            return Level.WARNING;
        }
        if (value >= java.util.logging.Level.CONFIG.intValue()) {
            return Level.INFO;
        }
        if (value >= java.util.logging.Level.FINE.intValue()) {
            return Level.DEBUG;
        }
        return Level.TRACE;
    }

    static java.util.logging.Level toJul(Level level) {
        return switch (level) {
            case ALL, TRACE -> java.util.logging.Level.FINEST;
            case DEBUG -> java.util.logging.Level.FINE;
            case INFO -> java.util.logging.Level.INFO;
            case WARNING -> java.util.logging.Level.WARNING;
            case ERROR -> java.util.logging.Level.SEVERE;
            case OFF -> java.util.logging.Level.OFF;
        };
    }
}
