package io.jrunc.posix;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Test helpers: run a shell snippet through a reaper and capture what it writes to fd 1. */
final class ChildProcesses {
    static final Map<String, String> ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");

    private ChildProcesses() {}

    static SpawnSpec shell(String script) {
        return new SpawnSpec(List.of("/bin/sh", "-c", script), ENV, Optional.empty(), Map.of(), false);
    }

    /** Reads {@code fd} to end of file, then closes it. */
    static String readAll(Posix posix, int fd) throws PosixException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = posix.read(fd, buffer, 0, buffer.length)) > 0) {
                out.write(buffer, 0, n);
            }
        } finally {
            posix.close(fd);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Spawns {@code spec} with its fd 1 on a pipe (plus the spec's own fds) and returns the output. */
    static Captured capture(Reaper reaper, Posix posix, SpawnSpec spec) throws PosixException {
        int[] pipe = posix.pipe();
        Map<Integer, Integer> fds = new java.util.HashMap<>(spec.fds());
        fds.put(1, pipe[1]);
        Reaper.Spawned spawned;
        try {
            spawned = reaper.spawn(new SpawnSpec(spec.argv(), spec.environment(), spec.workingDirectory(), fds, spec.newSession()));
        } finally {
            posix.close(pipe[1]);
        }
        return new Captured(spawned, readAll(posix, pipe[0]));
    }

    record Captured(Reaper.Spawned spawned, String output) {}
}
