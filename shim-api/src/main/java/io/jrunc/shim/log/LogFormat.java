package io.jrunc.shim.log;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.System.Logger.Level;
import java.text.MessageFormat;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One log line in the text format of the Go shims (logrus, RFC 3339 timestamps with fixed
 * nanoseconds), which containerd copies verbatim into its own log:
 * {@code time="2024-05-01T10:00:00.000000001+02:00" level=info msg="..." logger=...}.
 */
public final class LogFormat {
    private static final DateTimeFormatter RFC3339_NANO_FIXED =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");

    private LogFormat() {}

    public static String line(Instant time, Level level, String logger, String message, Throwable thrown, boolean stackTrace) {
        StringBuilder out = new StringBuilder(96 + message.length());
        out.append("time=\"").append(timestamp(time)).append("\" level=").append(levelName(level)).append(" msg=");
        quote(message, out);
        if (thrown != null) {
            out.append(" error=");
            quote(String.valueOf(thrown), out);
            if (stackTrace) {
                StringWriter trace = new StringWriter();
                thrown.printStackTrace(new PrintWriter(trace));
                out.append(" stack=");
                quote(trace.toString(), out);
            }
        }
        out.append(" logger=");
        quote(logger, out);
        return out.append('\n').toString();
    }

    /**
     * {@link MessageFormat} as System.Logger specifies, except that integers print plainly
     * ({@code pid=4926}, not {@code pid=4,926}) unless the pattern asks for a number format.
     */
    public static String format(String pattern, Object[] params) {
        if (params == null || params.length == 0) {
            return pattern;
        }
        Object[] args = params;
        if (!pattern.contains(",number")) {
            args = params.clone();
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Long || args[i] instanceof Integer || args[i] instanceof Short
                        || args[i] instanceof Byte || args[i] instanceof java.math.BigInteger) {
                    args[i] = args[i].toString();
                }
            }
        }
        try {
            return new MessageFormat(pattern).format(args);
        } catch (IllegalArgumentException e) {
            return pattern + " " + java.util.Arrays.toString(params);
        }
    }

    public static String timestamp(Instant time) {
        return RFC3339_NANO_FIXED.format(time.atZone(ZoneId.systemDefault()));
    }

    public static String levelName(Level level) {
        return switch (level) {
            case ALL, TRACE -> "trace";
            case DEBUG -> "debug";
            case INFO -> "info";
            case WARNING -> "warning";
            case ERROR, OFF -> "error";
        };
    }

    /** Go-style quoted string: everything on one line. */
    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
