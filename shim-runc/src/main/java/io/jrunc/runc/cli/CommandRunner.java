package io.jrunc.runc.cli;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.ProcessExit;
import io.jrunc.posix.Reaper;
import io.jrunc.posix.SpawnSpec;
import java.io.ByteArrayOutputStream;
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
        int captureFd = -1;
        int readFd = -1;
        Map<Integer, Integer> childFds = new HashMap<>(fds);
        try {
            if (captureOutput && !(fds.containsKey(1) && fds.containsKey(2))) {
                // Unlinked at once: a daemon killed during the call leaves no file behind.
                Path capture = Files.createTempFile("jrunc-cmd", ".out");
                try {
                    captureFd = posix.open(capture, Posix.O_WRONLY | Posix.O_CLOEXEC, 0);
                    readFd = posix.open(capture, Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
                } finally {
                    Files.deleteIfExists(capture);
                }
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
            String output = readFd < 0 ? "" : readAll(readFd);
            return new CommandResult(exit.status(), output);
        } finally {
            if (captureFd >= 0) {
                posix.close(captureFd);
            }
            if (readFd >= 0) {
                posix.close(readFd);
            }
        }
    }

    private String readAll(int fd) throws PosixException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = posix.read(fd, buffer, 0, buffer.length)) > 0) {
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static ProcessExit awaitExit(Reaper.Spawned spawned) throws InterruptedException, IOException {
        try {
            return spawned.exit().get();
        } catch (ExecutionException e) {
            throw new IOException("lost the exit of child " + spawned.pid() + ": " + e.getCause(), e.getCause());
        }
    }
}
