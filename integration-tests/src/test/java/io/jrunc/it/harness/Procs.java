package io.jrunc.it.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A read-only view of /proc: which processes exist, their command lines and cgroups. */
public final class Procs {
    private Procs() {
    }

    /** One process as seen at one moment; {@code cmdline} has its NUL separators turned into spaces. */
    public record ProcInfo(long pid, String cmdline, String cgroup) {
        @Override
        public String toString() {
            return pid + " " + cmdline;
        }
    }

    /** Every process that could be read (processes that exit while we look are skipped). */
    public static List<ProcInfo> all() {
        List<ProcInfo> result = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumeric(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                Optional<String> cmd = read(dir.resolve("cmdline"));
                if (cmd.isEmpty() || cmd.get().isEmpty()) {
                    continue; // kernel thread or already gone
                }
                result.add(new ProcInfo(pid, cmd.get().replace('\0', ' ').strip(), read(dir.resolve("cgroup")).orElse("")));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return result;
    }

    /** Parentage of a process from /proc/&lt;pid&gt;/stat: parent, process group and session. */
    public record Stat(long pid, char state, long ppid, long pgid, long sid) {
    }

    /** The process's stat line, or empty if it is gone. */
    public static Optional<Stat> stat(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "stat")).map(line -> {
            // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return new Stat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
        });
    }

    /** Alive and not a zombie: a zombie still has its /proc entry until its parent reaps it. */
    public static boolean running(long pid) {
        return stat(pid).map(s -> s.state() != 'Z' && s.state() != 'X').orElse(false);
    }

    /** True if {@code ancestor} is {@code pid}'s parent, grandparent, ... (walking up to PID 1). */
    public static boolean isDescendantOf(long pid, long ancestor) {
        long current = pid;
        for (int depth = 0; depth < 64 && current > 1; depth++) {
            Optional<Stat> s = stat(current);
            if (s.isEmpty()) {
                return false;
            }
            current = s.get().ppid();
            if (current == ancestor) {
                return true;
            }
        }
        return false;
    }

    public static boolean alive(long pid) {
        return Files.exists(Path.of("/proc", Long.toString(pid)));
    }

    public static Optional<String> cmdline(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "cmdline")).map(s -> s.replace('\0', ' ').strip());
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean isNumeric(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
