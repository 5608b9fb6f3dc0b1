package io.jrunc.shim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code <socket>.pid} next to a daemon's socket: {@code "<pid> <start time>\n"}, or
 * {@code "<pid> <start time> retiring\n"} while an idle daemon is about to exit. The start time
 * (clock ticks after boot, field 22 of /proc/&lt;pid&gt;/stat) tells a live daemon from a reused
 * pid. The launcher script reads this file to join a live daemon without starting a JVM, and
 * {@code start} reads it to wait out a retiring daemon instead of joining it.
 */
public record DaemonStateFile(Path path) {
    public static final String SUFFIX = ".pid";
    static final String RETIRING = "retiring";

    /** What the file says. */
    public record State(long pid, long startTime, boolean retiring) {
        /** The process still runs: /proc/&lt;pid&gt; exists and started at {@link #startTime}. */
        public boolean alive() {
            return startTimeOf(pid).equals(OptionalLong.of(startTime));
        }

        String text() {
            return pid + " " + startTime + (retiring ? " " + RETIRING : "") + "\n";
        }
    }

    public static DaemonStateFile of(Path socket) {
        return new DaemonStateFile(socket.resolveSibling(socket.getFileName() + SUFFIX));
    }

    /** The state of this (live) process. */
    public static State self(boolean retiring) {
        long pid = ProcessHandle.current().pid();
        return new State(pid, startTimeOf(pid).orElseThrow(() -> new IllegalStateException("no /proc/self/stat")), retiring);
    }

    /** The state of process {@code pid}, empty when it is gone. */
    public static Optional<State> stateOf(long pid) {
        OptionalLong start = startTimeOf(pid);
        return start.isPresent() ? Optional.of(new State(pid, start.getAsLong(), false)) : Optional.empty();
    }

    /** The file's state; empty when there is none or it is not one this class wrote. */
    public Optional<State> read() {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return Optional.empty();
        }
        String[] fields = text.strip().split(" ");
        try {
            if (fields.length == 2) {
                return Optional.of(new State(Long.parseLong(fields[0]), Long.parseLong(fields[1]), false));
            }
            if (fields.length == 3 && fields[2].equals(RETIRING)) {
                return Optional.of(new State(Long.parseLong(fields[0]), Long.parseLong(fields[1]), true));
            }
        } catch (NumberFormatException e) {
            // not ours
        }
        return Optional.empty();
    }

    /**
     * Writes {@code state} atomically (temporary file, rename): readers never see half a line. Mode 0600,
     * like the socket beside it.
     */
    public void write(State state) throws IOException {
        Path temporary = path.resolveSibling("." + path.getFileName() + "." + ProcessHandle.current().pid());
        try {
            Files.deleteIfExists(temporary);
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, state.text(), StandardCharsets.US_ASCII);
            Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Removes the file if it still names {@code pid} (another daemon may own the socket name by now). */
    public void removeIfOwnedBy(long pid) {
        if (read().map(s -> s.pid() == pid).orElse(false)) {
            deleteQuietly();
        }
    }

    /**
     * Removes the file if it names a process that is gone (a daemon killed with SIGKILL), and that daemon's
     * {@link DaemonStatusFile} with it.
     */
    public boolean removeIfStale() {
        Optional<State> state = read();
        if (state.isPresent() && !state.get().alive()) {
            deleteQuietly();
            DaemonStatusFile status = DaemonStatusFile.of(socket());
            if (status.read().map(s -> s.pid() == state.get().pid()).orElse(false)) {
                status.remove();
            }
            return true;
        }
        return false;
    }

    /** The socket this file sits next to. */
    Path socket() {
        String name = path.getFileName().toString();
        return path.resolveSibling(name.substring(0, name.length() - SUFFIX.length()));
    }

    private void deleteQuietly() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a leftover state file names a dead pid: readers treat it as absent
        }
    }

    /** Field 22 of /proc/&lt;pid&gt;/stat; the command name (field 2) may hold spaces and parentheses. */
    static OptionalLong startTimeOf(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 (state); field 22 is fields[19]
        if (fields.length < 20 || fields[0].equals("Z") || fields[0].equals("X")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(fields[19]));
    }
}
