package io.jrunc.shim.log;

import java.lang.System.Logger;
import java.util.ResourceBundle;

/**
 * The {@link System.LoggerFinder} service of the shim (registered in META-INF/services): every
 * System.Logger in the process, the JDK's included, writes through {@link ShimLog}.
 */
public final class ShimLoggerFinder extends System.LoggerFinder {

    @Override
    public Logger getLogger(String name, Module module) {
        return new ShimLogger(name);
    }

    private record ShimLogger(String name) implements Logger {

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return ShimLog.isLoggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            if (ShimLog.isLoggable(level)) {
                ShimLog.log(name, level, localize(bundle, message), thrown);
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (!ShimLog.isLoggable(level)) {
                return;
            }
            String pattern = localize(bundle, format);
            String message = params == null || params.length == 0 ? pattern : formatSafely(pattern, params);
            ShimLog.log(name, level, message, null);
        }

        private static String localize(ResourceBundle bundle, String key) {
            if (bundle == null || key == null || !bundle.containsKey(key)) {
                return key;
            }
            return bundle.getString(key);
        }

        private static String formatSafely(String pattern, Object[] params) {
            return LogFormat.format(pattern, params);
        }
    }
}
