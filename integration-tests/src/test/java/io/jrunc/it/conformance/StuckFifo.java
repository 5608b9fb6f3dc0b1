package io.jrunc.it.conformance;

import io.jrunc.it.harness.Command;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A stdio fifo whose reader never reads: the test holds it open (read-write, which never blocks) so the
 * shim's writes fill the pipe and stay stuck, like a client that hangs. {@link #vanish()} closes and removes
 * it: the reader is gone mid-stream.
 */
final class StuckFifo implements AutoCloseable {
    private final Path path;
    private RandomAccessFile held;

    StuckFifo(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            this.path = dir.resolve(name);
            Command.run(Duration.ofSeconds(10), List.of("mkfifo", "-m", "0600", path.toString())).orThrow();
            this.held = new RandomAccessFile(path.toFile(), "rw");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String path() {
        return path.toString();
    }

    /** The reader goes away and the fifo with it. */
    synchronized void vanish() {
        close();
    }

    @Override
    public synchronized void close() {
        try {
            if (held != null) {
                held.close();
                held = null;
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
