package io.jrunc.it.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.it.harness.ShimUnderTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stdin without a terminal: {@code ctr run} / {@code ctr task exec} (1.6 always wires stdin) pipe a file through
 * {@code cat} in the container, and every byte comes back in order. The input is large (8 MiB of every
 * byte value), so ctr is still copying it when it arms its CloseIO at end of input (a tiny input can
 * end before that and then never reaches end of file: a ctr race, not a shim's).
 */
class StdinIT extends TerminalScenarios {
    private static final int INPUT_BYTES = 8 << 20;

    private Path dir;
    private Path input;

    @BeforeEach
    void makeInput() throws IOException {
        dir = Files.createTempDirectory("jrunc-stdin-it-");
        input = dir.resolve("input");
        byte[] bytes = new byte[INPUT_BYTES];
        new Random(42).nextBytes(bytes);
        Files.write(input, bytes);
    }

    @AfterEach
    void removeFiles() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void stdinPipedThroughCatInAContainerComesBackExact(ShimUnderTest shim) throws Exception {
        try (TerminalScenario t = beginTerminal(shim)) {
            Path output = dir.resolve("run-output");

            String stderr = pipeThrough(t.run(List.of("--rm"), "stdin-cat", "/bin/cat"), output);

            assertEquals(-1L, Files.mismatch(input, output),
                    () -> "output differs from input (" + size(output) + " of " + INPUT_BYTES + " bytes); " + stderr);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void stdinPipedThroughCatInAnExecComesBackExact(ShimUnderTest shim) throws Exception {
        try (TerminalScenario t = beginTerminal(shim)) {
            String id = "stdin-exec";
            t.scenario().runDetached(id, "/bin/sleep", "300");
            Path output = dir.resolve("exec-output");

            String stderr = pipeThrough(t.exec(List.of(), "cat1", id, "/bin/cat"), output);

            assertEquals(-1L, Files.mismatch(input, output),
                    () -> "output differs from input (" + size(output) + " of " + INPUT_BYTES + " bytes); " + stderr);
        }
    }

    /** Runs {@code command} with the input file as stdin and {@code output} as stdout; returns its stderr. */
    private String pipeThrough(List<String> command, Path output) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectInput(input.toFile())
                .redirectOutput(output.toFile())
                .start();
        try {
            var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "(stderr unreadable: " + e + ")";
                }
            }, r -> Thread.ofVirtual().start(r));
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                throw new AssertionError(String.join(" ", command) + " did not finish within 90 s; "
                        + size(output) + " of " + INPUT_BYTES + " bytes came back");
            }
            String err = stderr.get(10, TimeUnit.SECONDS);
            assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed: " + err);
            return err;
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
