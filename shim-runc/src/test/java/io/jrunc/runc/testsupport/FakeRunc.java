package io.jrunc.runc.testsupport;

import io.jrunc.posix.ProcessExit;
import io.jrunc.posix.SpawnSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The fake runc script (resource fake-runc.sh) installed in a directory, with its control knobs. */
public final class FakeRunc {
    private final Path control;
    private final Path binary;
    private final Path root;

    public FakeRunc(Path dir) throws IOException {
        this.control = Files.createDirectories(dir.resolve("ctl"));
        this.root = Files.createDirectories(dir.resolve("runc-root"));
        this.binary = dir.resolve("fake-runc");
        String script;
        try (InputStream in = FakeRunc.class.getResourceAsStream("fake-runc.sh")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(binary, script.replace("@CTL@", control.toString()));
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(control.resolve("argv.log"), "");
    }

    public Path binary() {
        return binary;
    }

    /** Root given in the runc options; fake runc keeps its state in root/namespace/id. */
    public Path root() {
        return root;
    }

    public void failNext(String subcommand, String message) throws IOException {
        Files.writeString(control.resolve("fail-" + subcommand), message);
    }

    public void clearFailure(String subcommand) throws IOException {
        Files.deleteIfExists(control.resolve("fail-" + subcommand));
    }

    public void command(String id, String shell) throws IOException {
        Files.writeString(control.resolve("cmd-" + id), shell);
    }

    public void exitEarly(String id) throws IOException {
        Files.writeString(control.resolve("early-exit-" + id), "");
    }

    /** Shell command exec {@code execId} runs (default: true). */
    public void execCommand(String execId, String shell) throws IOException {
        Files.writeString(control.resolve("exec-cmd-" + execId), shell);
    }

    /** Exec writes its pid file 0.5 s after the process started, so a quick process exits before. */
    public void execWritesPidLate() throws IOException {
        Files.writeString(control.resolve("exec-late-pid"), "");
    }

    /** Checkpoints fail the way criu does (dump.log in the work path, two lines on stderr). */
    public void failCheckpoints() throws IOException {
        Files.writeString(control.resolve("criu-fail"), "");
    }

    /** A file fake runc recorded (process-&lt;execid&gt;.json, update-&lt;id&gt;.json, stdout-owner-&lt;id&gt;). */
    public String recorded(String name) throws IOException {
        return Files.readString(control.resolve(name));
    }

    /** Every invocation so far, one line of space-joined argv (without the binary) each. */
    public List<String> invocations() throws IOException {
        return Files.readAllLines(control.resolve("argv.log"));
    }

    /** Invocations with the global flags stripped: "create --bundle ...", "start c1", ... */
    public List<String> subcommands() throws IOException {
        return invocations().stream().map(FakeRunc::stripGlobals).toList();
    }

    private static String stripGlobals(String line) {
        String[] words = line.split(" ");
        int i = 0;
        while (i < words.length && words[i].startsWith("--")) {
            i += words[i].equals("--systemd-cgroup") ? 1 : 2;
        }
        return String.join(" ", List.of(words).subList(Math.min(i, words.length), words.length));
    }

    /** mkfifo through the reaper (tests must not use ProcessBuilder). */
    public static void mkfifo(Path path) throws Exception {
        ProcessExit exit = Natives.reaper().spawn(new SpawnSpec(List.of("mkfifo", path.toString()),
                Map.of("PATH", "/usr/bin:/bin"), Optional.empty(), Map.of(), false)).exit().get(10, TimeUnit.SECONDS);
        if (exit.status() != 0) {
            throw new IOException("mkfifo " + path + " failed: " + exit.status());
        }
    }
}
