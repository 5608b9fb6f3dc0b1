package io.jrunc.runc.cli;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.io.IOException;
import java.nio.file.Files;
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
     * {@code runc create --bundle B --pid-file P [--console-socket S] [--no-pivot] [--no-new-keyring] <id>}.
     * runc's stdio is the container's (pipes, or /dev/null for null IO), so its own words reach only log.json.
     */
    public void create(String id, Path bundle, CreateOptions options)
            throws RuncException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("create", "--bundle", bundle.toString(),
                "--pid-file", options.pidFile().toAbsolutePath().toString()));
        options.consoleSocket().ifPresent(socket -> args.addAll(List.of("--console-socket", socket.toString())));
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

    /**
     * {@code runc exec --process F [--console-socket S] --detach --pid-file P <id>}, with the OCI process
     * JSON in a temporary {@code runc-process*} file (in $XDG_RUNTIME_DIR, else the temp dir) that is
     * removed afterwards. runc's stdio is the new process's, as for create.
     */
    public void exec(String id, byte[] processJson, ExecOptions options) throws RuncException, InterruptedException {
        Path spec;
        try {
            spec = Files.createTempFile(tempDir(), "runc-process", "");
            Files.write(spec, processJson);
        } catch (IOException e) {
            throw new RuncException("cannot write the process spec for " + config.binary() + " exec: " + e.getMessage(), e);
        }
        try {
            List<String> args = new ArrayList<>(List.of("exec", "--process", spec.toString()));
            options.consoleSocket().ifPresent(socket -> args.addAll(List.of("--console-socket", socket.toString())));
            args.addAll(List.of("--detach", "--pid-file", options.pidFile().toAbsolutePath().toString(), id));
            CommandResult result = execute(args, options.stdio(), false, options.afterSpawn());
            if (!result.succeeded()) {
                throw RuncException.failed(config.binary(), result, false);
            }
        } finally {
            try {
                Files.deleteIfExists(spec);
            } catch (IOException e) {
                // a stray temp file is harmless
            }
        }
    }

    /**
     * {@code runc restore <criu paths> --detach --pid-file P [--console-socket S] [--no-pivot] -no-subreaper
     * --bundle B <id>}: starts a container created from a checkpoint.
     */
    public void restore(String id, Path bundle, RestoreOptions options) throws RuncException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("restore"));
        args.addAll(options.criu().args());
        args.addAll(List.of("--detach", "--pid-file", options.pidFile().toAbsolutePath().toString()));
        options.consoleSocket().ifPresent(socket -> args.addAll(List.of("--console-socket", socket.toString())));
        if (options.noPivot()) {
            args.add("--no-pivot");
        }
        // One dash, as go-runc writes it (runc's flag parser takes both).
        args.addAll(List.of("-no-subreaper", "--bundle", bundle.toString(), id));
        CommandResult result = execute(args, options.stdio(), false, options.afterSpawn());
        if (!result.succeeded()) {
            throw RuncException.failed(config.binary(), result, false);
        }
    }

    /**
     * {@code runc checkpoint <criu flags> [--leave-running] <id>}; runc's output is captured for the error.
     */
    public void checkpoint(String id, CriuOptions criu, boolean leaveRunning) throws RuncException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("checkpoint"));
        args.addAll(criu.args());
        if (leaveRunning) {
            args.add("--leave-running");
        }
        args.add(id);
        runOrThrow(args);
    }

    /** {@code runc update --resources - <id>} with the OCI LinuxResources JSON on runc's stdin. */
    public void update(String id, byte[] resourcesJson) throws RuncException, InterruptedException {
        Path input;
        try {
            input = Files.createTempFile("jrunc-resources", ".json");
            Files.write(input, resourcesJson);
        } catch (IOException e) {
            throw new RuncException("cannot write the resources for " + config.binary() + " update: " + e.getMessage(), e);
        }
        Posix posix = runner.posix();
        int fd = -1;
        try {
            fd = posix.open(input, Posix.O_RDONLY | Posix.O_CLOEXEC, 0);
            CommandResult result = execute(List.of("update", "--resources", "-", id), Map.of(0, fd), true, () -> {});
            if (!result.succeeded()) {
                throw RuncException.failed(config.binary(), result, true);
            }
        } catch (PosixException e) {
            throw new RuncException("cannot open the resources for " + config.binary() + " update: " + e.getMessage(), e);
        } finally {
            if (fd >= 0) {
                posix.close(fd);
            }
            try {
                Files.deleteIfExists(input);
            } catch (IOException e) {
                // a stray temp file is harmless
            }
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

    private static Path tempDir() {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        return xdg == null || xdg.isEmpty() ? Path.of(System.getProperty("java.io.tmpdir")) : Path.of(xdg);
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
