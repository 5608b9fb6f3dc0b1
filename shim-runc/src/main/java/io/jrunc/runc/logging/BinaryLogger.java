package io.jrunc.runc.logging;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.ProcessExit;
import io.jrunc.posix.Reaper;
import io.jrunc.posix.SpawnSpec;
import io.jrunc.runc.io.IoException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A running logging binary (containerd's "shim logging" protocol): started through the reaper with an
 * environment of only {@code CONTAINER_ID} and {@code CONTAINER_NAMESPACE}, the read end of the stdout pipe
 * as fd 3, of the stderr pipe as fd 4, and the write end of a "ready" pipe as fd 5. It is ready when it
 * closes fd 5 or writes a byte to it. On {@link #terminate} it gets SIGTERM, and SIGKILL after 12 s.
 */
public final class BinaryLogger {
    private static final Logger LOG = System.getLogger(BinaryLogger.class.getName());
    /** The Go shim's grace for a logger to flush and exit. */
    public static final Duration TERMINATE_GRACE = Duration.ofSeconds(12);
    /**
     * The Go shim waits for readiness without a limit; a logger that neither gets ready nor exits would hang
     * Create for ever, so this one gives up (and kills it) after a minute.
     */
    public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Posix posix;
    private final LoggerCommand command;
    private final Reaper.Spawned spawned;

    private BinaryLogger(Posix posix, LoggerCommand command, Reaper.Spawned spawned) {
        this.posix = posix;
        this.command = command;
        this.spawned = spawned;
    }

    /**
     * Starts the logger on the read ends {@code stdoutRead} and {@code stderrRead} (the caller keeps and closes
     * its own copies) and waits until it is ready.
     *
     * @param processId the id the Go shim passes as CONTAINER_ID: the container id for an init, the exec id for
     *     an exec
     */
    public static BinaryLogger start(Posix posix, Reaper reaper, LoggerCommand command, String processId,
            String namespace, int stdoutRead, int stderrRead, Duration readyTimeout) throws IoException {
        // posix_spawn reports a missing program only as exit status 127 of the child; Go's exec says it up front.
        if (!Files.isExecutable(Path.of(command.program()))) {
            throw new IoException("failed to start binary process: fork/exec " + command.program() + ": "
                    + (Files.exists(Path.of(command.program())) ? "permission denied" : "no such file or directory"));
        }
        int[] ready;
        try {
            ready = posix.pipe();
        } catch (PosixException e) {
            throw new IoException("failed to create ready pipe: " + e.getMessage(), e);
        }
        Reaper.Spawned spawned;
        try {
            Map<Integer, Integer> fds = new HashMap<>();
            fds.put(3, stdoutRead);
            fds.put(4, stderrRead);
            fds.put(5, ready[1]);
            spawned = reaper.spawn(new SpawnSpec(command.argv(),
                    Map.of("CONTAINER_ID", processId, "CONTAINER_NAMESPACE", namespace), Optional.empty(), fds, false));
        } catch (PosixException e) {
            posix.close(ready[0]);
            throw new IoException("failed to start binary process: " + e.getMessage(), e);
        } finally {
            posix.close(ready[1]);
        }
        BinaryLogger logger = new BinaryLogger(posix, command, spawned);
        try {
            logger.awaitReady(ready[0], readyTimeout);
        } catch (IoException e) {
            logger.kill();
            throw e;
        } finally {
            posix.close(ready[0]);
        }
        return logger;
    }

    /** One byte or end of file on the ready pipe; read on a platform thread so a silent logger can time out. */
    private void awaitReady(int readyRead, Duration timeout) throws IoException {
        CompletableFuture<Void> readyOrGone = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("logger-ready-" + spawned.pid()).start(() -> {
            byte[] one = new byte[1];
            while (true) {
                try {
                    posix.read(readyRead, one, 0, 1);
                    readyOrGone.complete(null);
                    return;
                } catch (PosixException e) {
                    if (e.errno() != Errno.EINTR) {
                        readyOrGone.completeExceptionally(e);
                        return;
                    }
                }
            }
        });
        try {
            readyOrGone.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // Killing it closes its end of the pipe, which ends the reading thread.
            kill();
            joinQuietly(readyOrGone);
            throw new IoException("logging binary " + command.program() + " did not get ready within " + timeout
                    + " (it must close fd 5 or write a byte to it)");
        } catch (ExecutionException e) {
            throw new IoException("failed to read from logging binary: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new IoException("interrupted while waiting for logging binary " + command.program());
        }
    }

    private static void joinQuietly(CompletableFuture<Void> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // only waiting for the reader thread to let go of the fd
        }
    }

    public int pid() {
        return spawned.pid();
    }

    public CompletableFuture<ProcessExit> exit() {
        return spawned.exit();
    }

    /**
     * SIGTERM, then up to {@code grace} for it to exit, then SIGKILL. Blocks for at most {@code grace}; a logger
     * that already exited is left alone.
     */
    public void terminate(Duration grace) {
        if (spawned.exit().isDone()) {
            return;
        }
        try {
            posix.kill(spawned.pid(), Posix.SIGTERM);
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "failed to send SIGTERM to logging binary " + spawned.pid() + ", killing it: " + e.getMessage());
            kill();
            return;
        }
        try {
            spawned.exit().get(grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            LOG.log(Level.WARNING, "logging binary " + spawned.pid() + " did not exit within " + grace + ", killing it");
            kill();
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "lost the exit of logging binary " + spawned.pid() + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    private void kill() {
        if (spawned.exit().isDone()) {
            return;
        }
        try {
            posix.kill(spawned.pid(), Posix.SIGKILL);
        } catch (PosixException e) {
            // already gone
        }
    }
}
