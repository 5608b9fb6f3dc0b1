package io.jrunc.shim;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The places of a bounded namespace daemon ({@code max-containers}): the directory {@code <socket>.slots}
 * holds one symbolic link per container the daemon serves, named {@code 0} to {@code max - 1} and
 * pointing at the container id. Creating a symbolic link is atomic and fails when the name exists, so
 * concurrent {@code start}s (the JVM here, the launcher script with {@code ln -s}) never take one place
 * twice and a daemon never serves more than {@code max} containers. A place is taken before the daemon
 * is joined or spawned and given back when the container is deleted (by the daemon, or by the
 * {@code delete} action after a crash); places held for containers that never reached the daemon are
 * given back by the daemon after {@link #STALE_RESERVATION}.
 */
public record DaemonSlots(Path directory) {
    public static final String SUFFIX = ".slots";
    /** Far longer than containerd takes from {@code start} to Create. */
    public static final Duration STALE_RESERVATION = Duration.ofMinutes(2);

    public static DaemonSlots of(Path socket) {
        return new DaemonSlots(socket.resolveSibling(socket.getFileName() + SUFFIX));
    }

    /**
     * Takes a free place for {@code id}, or finds the one it already holds (a repeated {@code start});
     * returns the place, empty when all {@code max} are taken.
     */
    public OptionalInt reserve(String id, int max) throws IOException {
        Optional<Integer> held = find(id);
        if (held.isPresent()) {
            return OptionalInt.of(held.get());
        }
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        for (int place = 0; place < max; place++) {
            Path link = directory.resolve(Integer.toString(place));
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                Files.createSymbolicLink(link, Path.of(id));
                return OptionalInt.of(place);
            } catch (FileAlreadyExistsException e) {
                // another start took it a moment ago: try the next one
            } catch (NoSuchFileException e) {
                // the directory was removed by a retiring daemon: make it again
                Files.createDirectories(directory);
                place--;
            }
        }
        return OptionalInt.empty();
    }

    /** Gives back the place {@code id} holds, if any. */
    public void release(String id) {
        find(id).ifPresent(place -> {
            try {
                Files.deleteIfExists(directory.resolve(Integer.toString(place)));
            } catch (IOException ignored) {
                // held until the daemon's stale sweep
            }
        });
    }

    /** Place -> container id, in place order; empty without the directory. */
    public Map<Integer, String> holders() {
        Map<Integer, String> holders = new TreeMap<>();
        try (DirectoryStream<Path> links = Files.newDirectoryStream(directory)) {
            for (Path link : links) {
                String name = link.getFileName().toString();
                if (name.matches("0|[1-9][0-9]{0,5}")) {
                    try {
                        holders.put(Integer.parseInt(name), Files.readSymbolicLink(link).toString());
                    } catch (IOException | UnsupportedOperationException e) {
                        // released meanwhile, or not ours
                    }
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return holders;
    }

    /**
     * Gives back places held for containers the daemon does not serve that were taken more than
     * {@code age} ago: a {@code start} whose Create never came (containerd failed or restarted between).
     */
    public void releaseStale(Set<String> served, Duration age, Instant now) {
        holders().forEach((place, id) -> {
            if (served.contains(id)) {
                return;
            }
            Path link = directory.resolve(Integer.toString(place));
            try {
                BasicFileAttributes attributes = Files.readAttributes(link, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attributes.lastModifiedTime().toInstant().plus(age).isBefore(now)) {
                    Files.deleteIfExists(link);
                }
            } catch (IOException ignored) {
                // released meanwhile
            }
        });
    }

    /** Removes the directory when no place is taken (a daemon exiting); a start racing it makes it again. */
    public void removeIfEmpty() {
        try {
            Files.deleteIfExists(directory);
        } catch (IOException ignored) {
            // not empty: places still held for containers containerd will delete
        }
    }

    private Optional<Integer> find(String id) {
        return holders().entrySet().stream().filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).findFirst();
    }
}
