package io.jrunc.runc.runc;

import io.jrunc.posix.PosixException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runc command line, one method per subcommand the shim uses. Every invocation is started through
 * the reaper ({@link CommandRunner}) and carries the container's global flags ({@link RuncConfig}).
 */
public final class Runc {
    private final CommandRunner runner;
    private final RuncConfig config;

    public Runc(CommandRunner runner, RuncConfig config) {
        this.runner = runner;
        this.config = config;
    }

    public RuncConfig config() {
        return config;
    }

    /**
     * {@code runc create --bundle B --pid-file P [--no-pivot] [--no-new-keyring] <id>}. runc's stdio is the
     * container's (pipes, or /dev/null for null IO), so its own words reach only log.json.
     */
    public void create(String id, Path bundle, CreateOptions options)
            throws RuncException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("create", "--bundle", bundle.toString(),
                "--pid-file", options.pidFile().toAbsolutePath().toString()));
        if (options.noPivot()) {
            args.add("--no-pivot");
        }
        if (options.noNewKeyring()) {
            args.add("--no-new-keyring");
        }
        args.add(id);
        CommandResult result = execute(args, options.stdio(), false, options.afterSpawn());
        if (!result.succeeded()) {
            throw RuncException.failed(config.binary(), result, false);
        }
    }

    public void start(String id) throws RuncException, InterruptedException {
        runOrThrow(List.of("start", id));
    }

    /** {@code runc pause <id>}: freezes every process of the container. */
    public void pause(String id) throws RuncException, InterruptedException {
        runOrThrow(List.of("pause", id));
    }

    public void resume(String id) throws RuncException, InterruptedException {
        runOrThrow(List.of("resume", id));
    }

    /** {@code runc kill [--all] <id> <signal number>}. */
    public void kill(String id, int signal, boolean all) throws RuncException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add("kill");
        if (all) {
            args.add("--all");
        }
        args.add(id);
        args.add(Integer.toString(signal));
        runOrThrow(args);
    }

    public void delete(String id, boolean force) throws RuncException, InterruptedException {
        runOrThrow(force ? List.of("delete", "--force", id) : List.of("delete", id));
    }

    /** The pids of every process in the container ({@code runc ps --format json <id>}). */
    public List<Integer> ps(String id) throws RuncException, InterruptedException {
        String output = runOrThrow(List.of("ps", "--format", "json", id));
        try {
            return RuncJson.parsePids(output);
        } catch (IllegalArgumentException e) {
            throw new RuncException("cannot read the output of " + config.binary() + " ps: " + e.getMessage(), e);
        }
    }

    /** runc's JSON description of the container ({@code runc state <id>}). */
    public String state(String id) throws RuncException, InterruptedException {
        return runOrThrow(List.of("state", id));
    }

    /**
     * The Go shim's wording of a failure: {@code "<context>: <last error in log.json>"}, else the runc error
     * itself, e.g. "OCI runtime create failed: container with id exists: c1".
     */
    public String describe(String context, RuncException failure) {
        Optional<String> logged;
        try {
            logged = RuncLog.lastError(config.log());
        } catch (IOException | RuntimeException e) {
            return context + ": unable to retrieve OCI runtime error (" + e.getMessage() + "): " + failure.getMessage();
        }
        return context + ": " + logged.orElse(failure.getMessage());
    }

    private String runOrThrow(List<String> args) throws RuncException, InterruptedException {
        CommandResult result = execute(args, Map.of(), true, () -> {});
        if (!result.succeeded()) {
            throw RuncException.failed(config.binary(), result, true);
        }
        return result.output();
    }

    private CommandResult execute(List<String> args, Map<Integer, Integer> fds, boolean capture, Runnable onSpawned)
            throws RuncException, InterruptedException {
        List<String> argv = config.command(args);
        try {
            return runner.run(argv, fds, capture, onSpawned);
        } catch (PosixException | IOException e) {
            throw new RuncException("cannot run " + config.binary() + ": " + e.getMessage(), e);
        }
    }
}
