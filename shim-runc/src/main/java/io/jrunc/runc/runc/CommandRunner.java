package io.jrunc.runc.runc;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.ProcessExit;
import io.jrunc.posix.Reaper;
import io.jrunc.posix.SpawnSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * Runs one short-lived command (a runc invocation) through the daemon's reaper and waits for its exit.
 * The reaper owns waitpid, so this never competes with it for the child's status.
 */
public final class CommandRunner {
    private final Reaper reaper;
    private final Posix posix;
    private final Map<String, String> environment;

    public CommandRunner(Reaper reaper, Posix posix) {
        this(reaper, posix, childEnvironment(System.getenv()));
    }

    public CommandRunner(Reaper reaper, Posix posix, Map<String, String> environment) {
        this.reaper = reaper;
        this.posix = posix;
        this.environment = Map.copyOf(environment);
    }

    /** The shim's environment minus NOTIFY_SOCKET, which would make runc talk to systemd (as the Go shim does). */
    public static Map<String, String> childEnvironment(Map<String, String> shimEnvironment) {
        Map<String, String> env = new HashMap<>(shimEnvironment);
        env.remove("NOTIFY_SOCKET");
        return env;
    }

    public Posix posix() {
        return posix;
    }

    /**
     * Starts {@code argv}, waits for it and returns how it ended.
     *
     * @param fds child fd -> parent fd to hand over; fds 0-2 not named are /dev/null
     * @param captureOutput whether child fds 1 and 2 (when not named in {@code fds}) go to a capture file whose
     *     content is returned
     * @param onSpawned runs right after the child started (e.g. to close the child's pipe ends in the shim)
     */
    public CommandResult run(List<String> argv, Map<Integer, Integer> fds, boolean captureOutput, Runnable onSpawned)
            throws PosixException, IOException, InterruptedException {
        Path capture = null;
        int captureFd = -1;
        Map<Integer, Integer> childFds = new HashMap<>(fds);
        try {
            if (captureOutput && !(fds.containsKey(1) && fds.containsKey(2))) {
                capture = Files.createTempFile("jrunc-cmd", ".out");
                captureFd = posix.open(capture, Posix.O_WRONLY | Posix.O_CLOEXEC, 0);
                childFds.putIfAbsent(1, captureFd);
                childFds.putIfAbsent(2, captureFd);
            }
            Reaper.Spawned spawned;
            try {
                spawned = reaper.spawn(new SpawnSpec(argv, environment, Optional.empty(), childFds, false));
            } finally {
                if (captureFd >= 0) {
                    posix.close(captureFd);
                    captureFd = -1;
                }
                onSpawned.run();
            }
            ProcessExit exit = awaitExit(spawned);
            String output = capture == null ? "" : Files.readString(capture, StandardCharsets.UTF_8);
            return new CommandResult(exit.status(), output);
        } finally {
            if (captureFd >= 0) {
                posix.close(captureFd);
            }
            if (capture != null) {
                Files.deleteIfExists(capture);
            }
        }
    }

    private static ProcessExit awaitExit(Reaper.Spawned spawned) throws InterruptedException, IOException {
        try {
            return spawned.exit().get();
        } catch (ExecutionException e) {
            throw new IOException("lost the exit of child " + spawned.pid() + ": " + e.getCause(), e.getCause());
        }
    }
}
