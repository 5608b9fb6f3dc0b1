package io.jrunc.it.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * containerd's CLI bound to one daemon and one namespace: {@code ctr --address <sock> -n <ns> ...}.
 * {@code binary} is the ctr of the daemon's own release (see {@link ContainerdDistribution#ctr()}).
 */
public record Ctr(Path address, String namespace, Duration timeout, String binary) {
    /** The system's ctr (containerd 1.6). */
    public static final String BINARY = "/usr/bin/ctr";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public Ctr(Path address, String namespace) {
        this(address, namespace, DEFAULT_TIMEOUT);
    }

    public Ctr(Path address, String namespace, Duration timeout) {
        this(address, namespace, timeout, BINARY);
    }

    public Ctr withTimeout(Duration newTimeout) {
        return new Ctr(address, namespace, newTimeout, binary);
    }

    /** Runs ctr; a non-zero exit is returned, not thrown. */
    public CommandResult run(String... args) {
        List<String> command = new ArrayList<>(List.of(binary, "--address", address.toString(), "-n", namespace));
        command.addAll(List.of(args));
        return Command.run(timeout, command);
    }

    /** Starts ctr without waiting for it (e.g. a foreground {@code ctr run} that a kill will end). */
    public Command.Background start(String... args) {
        List<String> command = new ArrayList<>(List.of(binary, "--address", address.toString(), "-n", namespace));
        command.addAll(List.of(args));
        return Command.start(command);
    }

    /** Runs ctr and throws (with its output) unless it exits 0. */
    public CommandResult ok(String... args) {
        return run(args).orThrow();
    }

    /** A row of {@code ctr task ls}. */
    public record TaskRow(String id, long pid, String status) {
    }

    /** Parses {@code ctr task ls} ("TASK PID STATUS" table). */
    public List<TaskRow> tasks() {
        String out = ok("task", "ls").stdout();
        List<TaskRow> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && !f[0].equals("TASK")) {
                rows.add(new TaskRow(f[0], Long.parseLong(f[1]), f[2]));
            }
        }
        return rows;
    }

    public java.util.Optional<TaskRow> task(String id) {
        return tasks().stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
