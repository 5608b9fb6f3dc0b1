package io.jrunc.runc.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code runc exec --detach} settings.
 *
 * @param pidFile where runc writes the pid of the new process ({@code <bundle>/<exec id>.pid})
 * @param consoleSocket where runc sends the pty master of a terminal process; empty without a terminal
 * @param stdio child fd (0-2) -> shim fd of the pipe end the process gets; empty for /dev/null
 * @param afterSpawn runs once runc started (the shim closes its copies of the process's pipe ends)
 */
public record ExecOptions(Path pidFile, Optional<Path> consoleSocket, Map<Integer, Integer> stdio,
        Runnable afterSpawn) {

    public ExecOptions {
        stdio = Map.copyOf(stdio);
    }
}
