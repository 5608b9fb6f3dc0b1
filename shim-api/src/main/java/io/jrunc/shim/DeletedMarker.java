package io.jrunc.shim;

import com.google.protobuf.Timestamp;
import io.jrunc.proto.task.v2.DeleteResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@code <bundle>/.jrunc-deleted}: the daemon has deleted this container (runc delete, rootfs
 * unmounted) on containerd's Delete call, so the {@code delete} action that containerd runs next
 * has nothing left to clean and the launcher script answers it without a JVM. One line,
 * {@code "<init pid> <exit status> <exited_at seconds> <exited_at nanos>\n"}. Without the file
 * (the daemon died, or its Delete failed) {@code delete} does the full cleanup.
 *
 * @param pid the init's pid, as the daemon's DeleteResponse reported it
 * @param exitStatus its exit status (kept for diagnosis; the {@code delete} action answers 137 like the Go shim)
 */
public record DeletedMarker(int pid, int exitStatus, long exitedAtSeconds, int exitedAtNanos) {
    public static final String NAME = ".jrunc-deleted";

    public static DeletedMarker of(DeleteResponse response) {
        Timestamp at = response.getExitedAt();
        return new DeletedMarker(response.getPid(), response.getExitStatus(), at.getSeconds(), at.getNanos());
    }

    /** Writes the marker atomically, so the script never reads half a line. */
    public void write(Path bundle) throws IOException {
        Path temporary = bundle.resolve(NAME + ".tmp");
        String line = Integer.toUnsignedString(pid) + " " + Integer.toUnsignedString(exitStatus) + " "
                + exitedAtSeconds + " " + exitedAtNanos + "\n";
        Files.writeString(temporary, line, StandardCharsets.US_ASCII);
        Files.move(temporary, bundle.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Drops a stale marker (a bundle reused for a new container with the same id must not skip cleanup). */
    public static void remove(Path bundle) throws IOException {
        Files.deleteIfExists(bundle.resolve(NAME));
    }

    public static Optional<DeletedMarker> read(Path bundle) {
        try {
            String[] f = Files.readString(bundle.resolve(NAME), StandardCharsets.US_ASCII).strip().split(" ");
            if (f.length != 4) {
                return Optional.empty();
            }
            return Optional.of(new DeletedMarker(Integer.parseUnsignedInt(f[0]), Integer.parseUnsignedInt(f[1]),
                    Long.parseLong(f[2]), Integer.parseInt(f[3])));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
