package io.jrunc.it.terminal;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A command (ctr) running on a pseudo-terminal this test holds, as a person at a terminal would run it:
 * what the test types goes to the command's stdin, everything the command prints is collected, and the
 * terminal can be resized (the kernel's SIGWINCH goes to a terminal's foreground group, which the command
 * is not, so the test sends it). The master is read on a platform thread of its own.
 */
final class PtySession implements AutoCloseable {
    private static final int SIGWINCH = 28;

    private final Posix posix;
    private final List<String> command;
    private final int master;
    private final Process process;
    private final CompletableFuture<String> stderr;
    private final StringBuilder transcript = new StringBuilder();
    private final Thread reader;
    private volatile boolean closing;

    private PtySession(Posix posix, List<String> command, int master, Process process, CompletableFuture<String> stderr) {
        this.posix = posix;
        this.command = command;
        this.master = master;
        this.process = process;
        this.stderr = stderr;
        this.reader = Thread.ofPlatform().daemon().name("pty-session-reader").start(this::readLoop);
    }

    /** Starts {@code command} with stdin and stdout on a new terminal of {@code rows} x {@code cols}; stderr is kept apart. */
    static PtySession start(List<String> command, int rows, int cols) {
        Posix posix = Posix.get();
        int master;
        Path slave;
        try {
            master = posix.openPtyMaster();
            slave = posix.ptySlave(master);
            posix.setWindowSize(master, rows, cols);
        } catch (PosixException e) {
            throw new IllegalStateException("cannot open a pseudo-terminal: " + e.getMessage(), e);
        }
        try {
            // ctr's console is the first of stderr, stdout, stdin that is a terminal, and it both reads and
            // writes it: the terminal must be open read-write, which ProcessBuilder cannot do, so a shell
            // opens it (<>) and execs the command.
            List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" <>" + slave + " >&0"));
            argv.addAll(command);
            Process process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            process.getOutputStream().close();
            process.getInputStream().close();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, r -> Thread.ofVirtual().name("pty-session-stderr").start(r));
            return new PtySession(posix, List.copyOf(command), master, process, stderr);
        } catch (IOException e) {
            posix.close(master);
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Types {@code text} (use "\r" for Enter, as a terminal sends it). */
    void type(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try {
            posix.write(master, bytes, 0, bytes.length);
        } catch (PosixException e) {
            throw new IllegalStateException("cannot type into the terminal of " + command + ": " + e.getMessage(), e);
        }
    }

    /** Everything printed so far. */
    String transcript() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }

    /**
     * Waits until the transcript satisfies {@code condition}; returns whether it did within {@code timeout}
     * (false early once the command is gone and its last output was read).
     */
    boolean await(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (transcript) {
            while (!condition.test(transcript.toString())) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !reader.isAlive()) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(transcript, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
            return true;
        }
    }

    /** Waits for {@code text} in the transcript; fails with the transcript otherwise. */
    void expect(String text, Duration timeout) throws InterruptedException {
        if (!await(t -> t.contains(text), timeout)) {
            throw new AssertionError("no '" + text + "' within " + timeout + "\n" + describe());
        }
    }

    /** The terminal gets a new size and the command is told (SIGWINCH), as when a person resizes the window. */
    void resize(int rows, int cols) {
        try {
            posix.setWindowSize(master, rows, cols);
            posix.kill((int) process.pid(), SIGWINCH);
        } catch (PosixException e) {
            throw new IllegalStateException("cannot resize the terminal of " + command + ": " + e.getMessage(), e);
        }
    }

    /** Waits for the command to exit and returns its exit code; fails (killing it) after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            String described = describe();
            close();
            throw new AssertionError(String.join(" ", command) + " did not exit within " + timeout + "\n" + described);
        }
        return process.exitValue();
    }

    String describe() {
        return "--- " + String.join(" ", command) + " (alive=" + process.isAlive() + ")\n--- terminal:\n"
                + transcript().replace("\r", "\\r") + "\n--- stderr:\n" + stderr.getNow("(still running)");
    }

    private void readLoop() {
        byte[] buffer = new byte[8192];
        short[] revents = new short[1];
        try {
            while (!closing) {
                if (posix.poll(new int[] {master}, new short[] {Posix.POLLIN}, revents, 100) == 0) {
                    continue;
                }
                int n;
                try {
                    n = posix.read(master, buffer, 0, buffer.length);
                } catch (PosixException e) {
                    if (e.errno() == Errno.EIO && !process.isAlive()) {
                        break; // nobody holds the terminal any more
                    }
                    if (e.errno() == Errno.EIO) {
                        Thread.sleep(20);
                        continue;
                    }
                    throw e;
                }
                if (n <= 0) {
                    break;
                }
                synchronized (transcript) {
                    transcript.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    transcript.notifyAll();
                }
            }
        } catch (PosixException | InterruptedException e) {
            synchronized (transcript) {
                transcript.append("\n[pty-session: reading stopped: ").append(e.getMessage()).append("]\n");
            }
        } finally {
            posix.close(master);
        }
    }

    /** Kills the command (SIGKILL, by its own pid) if it still runs and lets go of the terminal. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closing = true;
        try {
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
