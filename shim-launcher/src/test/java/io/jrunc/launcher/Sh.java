package io.jrunc.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the launcher's sh code from the source tree (src/main/dist), as containerd would: /bin/sh, given env and cwd. */
final class Sh {
    static final Path DIST = Path.of("src/main/dist").toAbsolutePath();
    static final Path SCRIPT = DIST.resolve("bin/containerd-shim-jrunc-v2");
    static final Path LIBRARY = DIST.resolve("lib/launcher.sh");

    private Sh() {}

    record Result(int code, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String describe() {
            return "exit " + code + ", stdout \"" + out() + "\", stderr \"" + stderr + "\"";
        }
    }

    /** {@code . lib/launcher.sh; <code>} in /bin/sh. */
    static Result functions(String code, Map<String, String> env, Path cwd) {
        return run(List.of("/bin/sh", "-c", ". \"$0\"; " + code, LIBRARY.toString()), env, cwd);
    }

    /** The launcher script itself with {@code args}. */
    static Result script(List<String> args, Map<String, String> env, Path cwd) {
        List<String> command = new java.util.ArrayList<>(List.of("/bin/sh", SCRIPT.toString()));
        command.addAll(args);
        return run(command, env, cwd);
    }

    static Result run(List<String> command, Map<String, String> env, Path cwd) {
        return run(command, env, cwd, new byte[0]);
    }

    /** {@link #functions} with {@code stdin} as the shell's standard input. */
    static Result functions(String code, Map<String, String> env, Path cwd, byte[] stdin) {
        return run(List.of("/bin/sh", "-c", ". \"$0\"; " + code, LIBRARY.toString()), env, cwd, stdin);
    }

    /** The launcher script itself with {@code args}, {@code stdin} as its standard input. */
    static Result script(List<String> args, Map<String, String> env, Path cwd, byte[] stdin) {
        List<String> command = new java.util.ArrayList<>(List.of("/bin/sh", SCRIPT.toString()));
        command.addAll(args);
        return run(command, env, cwd, stdin);
    }

    static Result run(List<String> command, Map<String, String> env, Path cwd, byte[] stdin) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("JRUNC_"));
        builder.environment().putAll(env);
        try {
            Process p = builder.start();
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new Result(p.exitValue(), out.get(), new String(err.get(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
