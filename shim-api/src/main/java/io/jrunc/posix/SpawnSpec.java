package io.jrunc.posix;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How to start a child process.
 *
 * @param argv program (looked up on PATH when it has no slash) and its arguments
 * @param environment the child's whole environment
 * @param workingDirectory empty to inherit the caller's
 * @param fds child fd number -> parent fd that becomes it; child fds 0, 1 and 2 not named here are /dev/null,
 *     and no other fd is inherited
 * @param newSession start the child in a session (and process group) of its own
 */
public record SpawnSpec(
        List<String> argv,
        Map<String, String> environment,
        Optional<Path> workingDirectory,
        Map<Integer, Integer> fds,
        boolean newSession) {

    public SpawnSpec {
        argv = List.copyOf(argv);
        environment = Map.copyOf(environment);
        fds = Map.copyOf(fds);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv must name a program");
        }
    }
}
