package io.jrunc.runc.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code runc create} settings.
 *
 * @param pidFile where runc writes the container's init pid
 * @param consoleSocket where runc sends the pty master of a terminal container; empty without a terminal
 * @param stdio child fd (0-2) -> shim fd of the pipe end the container gets; empty for null IO
 * @param afterSpawn runs once runc started (the shim closes its copies of the container's pipe ends)
 */
public record CreateOptions(Path pidFile, boolean noPivot, boolean noNewKeyring, Optional<Path> consoleSocket,
        Map<Integer, Integer> stdio, Runnable afterSpawn) {

    public CreateOptions {
        stdio = Map.copyOf(stdio);
    }

    /** Without a console socket. */
    public CreateOptions(Path pidFile, boolean noPivot, boolean noNewKeyring, Map<Integer, Integer> stdio,
            Runnable afterSpawn) {
        this(pidFile, noPivot, noNewKeyring, Optional.empty(), stdio, afterSpawn);
    }
}
