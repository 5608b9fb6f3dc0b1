package io.jrunc.shim.log;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Where formatted log lines go. Implementations must never block the caller for long. */
public interface LogSink {

    /** Takes one formatted line, ending in a newline. */
    void append(String line);

    /** The default: {@code start} and {@code delete} must not write a byte that containerd did not ask for. */
    LogSink DISCARD = line -> {};

    /** For development and tests only (selected with {@code -Djrunc.log.stderr=true}). */
    static LogSink stderr() {
        FileOutputStream err = new FileOutputStream(FileDescriptor.err);
        return line -> {
            try {
                err.write(line.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // stderr gone: nothing better to do with a log line
            }
        };
    }
}
