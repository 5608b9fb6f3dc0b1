package io.jrunc.it.conformance;

import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.FileTrees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The stdio fifos of one process, made and read by the test as a containerd client does: the paths go into
 * Tasks.Create / Tasks.Exec, the shim opens the other ends. Readers start before the task is created (a
 * fifo's read-open waits for its writer) and collect everything until the shim closes its write end.
 */
final class StdioFifos implements AutoCloseable {
    private final Path dir;
    private final Path stdin;
    private final Path stdout;
    private final Path stderr;
    private final List<Reader> readers = new ArrayList<>();
    private final Reader out;
    private final Reader err;

    private StdioFifos(Path dir, boolean withStdin) {
        this.dir = dir;
        this.stdin = withStdin ? dir.resolve("stdin") : null;
        this.stdout = dir.resolve("stdout");
        this.stderr = dir.resolve("stderr");
        List<String> mkfifo = new ArrayList<>(List.of("mkfifo", "-m", "0600", stdout.toString(), stderr.toString()));
        if (withStdin) {
            mkfifo.add(stdin.toString());
        }
        Command.run(Duration.ofSeconds(10), mkfifo).orThrow();
        this.out = new Reader(stdout);
        this.err = new Reader(stderr);
        readers.addAll(List.of(out, err));
    }

    /** Fifos in a new directory under {@code parent}, their readers already waiting. */
    static StdioFifos create(Path parent, String name, boolean withStdin) {
        try {
            Files.createDirectories(parent);
            return new StdioFifos(Files.createTempDirectory(parent, name + "-"), withStdin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empty string when there is no stdin, as containerd clients send it. */
    String stdinPath() {
        return stdin == null ? "" : stdin.toString();
    }

    String stdoutPath() {
        return stdout.toString();
    }

    String stderrPath() {
        return stderr.toString();
    }

    /** Everything written to stdout, once the shim has closed it (after the process exited). */
    String awaitStdout(Duration timeout) {
        return out.await(timeout, "stdout");
    }

    String awaitStderr(Duration timeout) {
        return err.await(timeout, "stderr");
    }

    /**
     * Writes to the process's stdin and closes the test's end. The fifo is opened read-write, which never
     * blocks; the process sees EOF only once the shim lets go of its own end too (Tasks.CloseIO).
     */
    void writeStdin(String text) {
        try (RandomAccessFile f = new RandomAccessFile(stdin.toFile(), "rw")) {
            f.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + stdin, e);
        }
    }

    /** Releases readers still waiting for a writer that never came, and removes the fifos. */
    @Override
    public void close() {
        for (Reader r : readers) {
            r.release();
        }
        FileTrees.deleteRecursively(dir);
    }

    /** Reads one fifo to EOF on a daemon thread of its own (fifo opens and reads block). */
    private static final class Reader {
        private final Path fifo;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> done = new CompletableFuture<>();
        private volatile boolean opened;

        Reader(Path fifo) {
            this.fifo = fifo;
            Thread.ofPlatform().daemon().name("fifo-reader " + fifo.getFileName()).start(this::read);
        }

        private void read() {
            try (InputStream in = Files.newInputStream(fifo)) {
                opened = true;
                byte[] buf = new byte[4096];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (bytes) {
                        bytes.write(buf, 0, n);
                    }
                }
                done.complete(text());
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        }

        private String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        String await(Duration timeout, String what) {
            try {
                return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("no EOF on " + what + " fifo " + fifo + " within " + timeout
                        + (opened ? "; read so far: '" + text() + "'" : "; the shim never opened it"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new AssertionError("reading " + what + " fifo " + fifo + " failed", e.getCause());
            }
        }

        /** A read-write open counts as a writer: it lets a reader blocked in open() through, to EOF. */
        @SuppressWarnings("try") // opening and closing is the whole point
        void release() {
            if (!opened && !done.isDone() && Files.exists(fifo)) {
                try (RandomAccessFile unblock = new RandomAccessFile(fifo.toFile(), "rw")) {
                    // opened and closed: the reader's open returns and its read sees EOF
                } catch (IOException e) {
                    // fifo already gone: nothing waits on it
                }
            }
        }
    }
}
