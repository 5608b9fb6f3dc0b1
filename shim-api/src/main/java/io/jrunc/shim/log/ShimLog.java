package io.jrunc.shim.log;

import java.lang.System.Logger.Level;
import java.time.Instant;

/**
 * The process-wide log configuration behind every {@link System.Logger} (through
 * {@link ShimLoggerFinder}). Until the daemon installs its fifo sink, everything is discarded.
 */
public final class ShimLog {
    private static volatile LogSink sink = Boolean.getBoolean("jrunc.log.stderr") ? LogSink.stderr() : LogSink.DISCARD;
    private static volatile Level threshold = Level.INFO;

    private ShimLog() {}

    /** Routes all logging to {@code newSink} from now on, keeping records at {@code newThreshold} or above. */
    public static void install(LogSink newSink, Level newThreshold) {
        threshold = newThreshold;
        sink = newSink;
    }

    public static LogSink sink() {
        return sink;
    }

    public static Level threshold() {
        return threshold;
    }

    public static boolean isLoggable(Level level) {
        return level != Level.OFF && sink != LogSink.DISCARD && level.getSeverity() >= threshold.getSeverity();
    }

    static void log(String logger, Level level, String message, Throwable thrown) {
        if (!isLoggable(level)) {
            return;
        }
        boolean stackTrace = threshold.getSeverity() <= Level.DEBUG.getSeverity();
        sink.append(LogFormat.line(Instant.now(), level, logger, message == null ? "" : message, thrown, stackTrace));
    }
}
