package io.jrunc.posix;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The file actions that give a spawned child exactly the fds its {@link SpawnSpec} names. Pure
 * computation, applied by {@link JnrPosix}.
 *
 * <p>Every source fd is first copied to a temporary fd above all named fds, then onto its target.
 * That handles mappings that swap or overlap, and makes every target a real dup2 (dup2 of an fd
 * onto itself would keep its close-on-exec flag). Standard fds not named become /dev/null, and
 * everything above the highest target is closed, because the JVM keeps jar files and
 * /dev/random open without close-on-exec.
 */
record SpawnPlan(List<Action> actions) {

    /** One posix_spawn file action. */
    sealed interface Action {}

    record ChangeDirectory(Path directory) implements Action {}

    record Dup(int from, int to) implements Action {}

    record OpenDevNull(int fd) implements Action {}

    record Close(int fd) implements Action {}

    record CloseFrom(int lowFd) implements Action {}

    static SpawnPlan of(Map<Integer, Integer> fds, Optional<Path> workingDirectory) {
        TreeMap<Integer, Integer> byTarget = new TreeMap<>(fds);
        for (Map.Entry<Integer, Integer> e : byTarget.entrySet()) {
            if (e.getKey() < 0 || e.getValue() < 0) {
                throw new IllegalArgumentException("negative fd in mapping " + e.getKey() + " <- " + e.getValue());
            }
        }
        List<Action> actions = new ArrayList<>();
        workingDirectory.ifPresent(dir -> actions.add(new ChangeDirectory(dir)));

        int highest = 2;
        for (Map.Entry<Integer, Integer> e : byTarget.entrySet()) {
            highest = Math.max(highest, Math.max(e.getKey(), e.getValue()));
        }
        int temporary = highest + 1;
        List<Integer> temporaries = new ArrayList<>();
        for (int source : byTarget.values()) {
            actions.add(new Dup(source, temporary));
            temporaries.add(temporary++);
        }
        int i = 0;
        for (int target : byTarget.keySet()) {
            actions.add(new Dup(temporaries.get(i++), target));
        }
        for (int std = 0; std <= 2; std++) {
            if (!byTarget.containsKey(std)) {
                actions.add(new OpenDevNull(std));
            }
        }
        int highestTarget = byTarget.isEmpty() ? 2 : Math.max(2, byTarget.lastKey());
        for (int fd = 3; fd < highestTarget; fd++) {
            if (!byTarget.containsKey(fd)) {
                actions.add(new Close(fd));
            }
        }
        actions.add(new CloseFrom(highestTarget + 1));
        return new SpawnPlan(List.copyOf(actions));
    }

    /**
     * The fds open in this process, for spawners whose libc lacks
     * posix_spawn_file_actions_addclosefrom_np: each is closed in the child instead.
     */
    static List<Integer> openFds() throws PosixException {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path entry : entries) {
                fds.add(Integer.parseInt(entry.getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            throw new PosixException("opendir", Errno.ENOENT, "/proc/self/fd: " + e.getMessage());
        }
        return fds;
    }
}
