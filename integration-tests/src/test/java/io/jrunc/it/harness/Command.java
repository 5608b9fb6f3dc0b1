package io.jrunc.it.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived external tool from the test JVM (ctr, runc, umount). Tests may use
 * ProcessBuilder; only the shim daemon must not.
 */
public final class Command {
    private Command() {
    }

    public static CommandResult run(Duration timeout, List<String> command) {
        return run(timeout, command, Map.of());
    }

    /** Runs {@code command} with stdin closed; kills it (SIGKILL, by its pid) when it outlives {@code timeout}. */
    public static CommandResult run(Duration timeout, List<String> command, Map<String, String> extraEnv) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(extraEnv);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        // Drain both pipes concurrently so a chatty command cannot block on a full pipe.
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + "\n--- stdout\n" + out.getNow("") + "\n--- stderr\n" + err.getNow(""));
            }
            return new CommandResult(List.copyOf(command), process.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the output of " + command, e.getCause());
        }
    }

    /**
     * Starts {@code command} (stdin closed) without waiting for it, e.g. a foreground {@code ctr run}
     * that another command will end. The caller must {@link Background#await} or {@link Background#kill} it.
     */
    public static Background start(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            Process process = pb.start();
            return new Background(List.copyOf(command), process, drain(process.getInputStream()), drain(process.getErrorStream()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** A command running in the background. */
    public record Background(List<String> command, Process process, CompletableFuture<String> out,
                             CompletableFuture<String> err) implements AutoCloseable {
        public boolean alive() {
            return process.isAlive();
        }

        /** Waits for the command to end; fails (killing it) if it outlives {@code timeout}. */
        public CommandResult await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill();
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                            + "\n--- stdout\n" + out.getNow("") + "\n--- stderr\n" + err.getNow(""));
                }
                return new CommandResult(command, process.exitValue(), out.get(), err.get());
            } catch (InterruptedException e) {
                kill();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + command, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot read the output of " + command, e.getCause());
            }
        }

        /** SIGKILL by its own pid, if still running. */
        public void kill() {
            if (process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void close() {
            kill();
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().name("command-drain").start(r));
    }
}
