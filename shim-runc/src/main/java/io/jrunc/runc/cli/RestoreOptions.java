package io.jrunc.runc.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code runc restore --detach} settings: a container created from a checkpoint starts this way.
 *
 * @param criu image, work and parent paths
 * @param pidFile where runc writes the restored init's pid
 * @param consoleSocket where runc sends the pty master of a terminal container; empty without a terminal
 * @param stdio child fd (0-2) -> shim fd the restored process gets; empty for /dev/null
 * @param afterSpawn runs once runc started
 */
public record RestoreOptions(CriuOptions criu, Path pidFile, Optional<Path> consoleSocket, boolean noPivot,
        Map<Integer, Integer> stdio, Runnable afterSpawn) {

    public RestoreOptions {
        stdio = Map.copyOf(stdio);
    }
}
