package io.jrunc.shim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a shim daemon listens: {@code unix:///run/containerd/s/<sha256 hex>}, hashed from
 * containerd's address, the namespace and the grouping key exactly like the Go shim, so that all
 * containers of a group (a CRI pod, or a whole namespace: see {@link Grouping}) reach one daemon.
 * The launcher script computes the same name with sha256sum for its JVM-free {@code start}.
 */
public record ShimSocketAddress(Path path) {

    /** Hard-wired in containerd 1.6-2.2, independent of its state directory. */
    public static final Path DEFAULT_SOCKET_DIR = Path.of("/run/containerd/s");

    /**
     * Longest socket path the Go shim accepts: two bytes under the kernel's
     * {@link io.jrunc.posix.UnixSockets#SUN_PATH_MAX} (108), one for the terminating NUL and one for the abstract
     * socket prefix the Go shim leaves room for. Stricter than the kernel's own 107-byte limit on purpose, so
     * that jrunc refuses exactly the addresses the Go shim refuses.
     */
    public static final int MAX_PATH_BYTES = 106;

    private static final String SCHEME = "unix://";

    /** The socket of a group in {@code socketDir}: the hex SHA-256 of {@code <address>/<namespace>/<groupKey>}, path-joined. */
    public static ShimSocketAddress of(Path socketDir, String containerdAddress, String namespace, String groupKey) {
        String seed = GoPaths.join(containerdAddress, namespace, groupKey);
        return new ShimSocketAddress(socketDir.resolve(sha256Hex(seed)));
    }

    public static ShimSocketAddress of(String containerdAddress, String namespace, String groupKey) {
        return of(DEFAULT_SOCKET_DIR, containerdAddress, namespace, groupKey);
    }

    /** Parses an {@code address} file's content ({@code unix:///path}; surrounding whitespace ignored). */
    public static ShimSocketAddress parse(String address) {
        String trimmed = address.strip();
        if (!trimmed.startsWith(SCHEME) || trimmed.length() == SCHEME.length()) {
            throw new IllegalArgumentException("not a unix:// socket address: \"" + trimmed + "\"");
        }
        return new ShimSocketAddress(Path.of(trimmed.substring(SCHEME.length())));
    }

    /** The address as containerd reads it: {@code unix:///run/containerd/s/<hex>}. */
    @Override
    public String toString() {
        return SCHEME + path;
    }

    static String sha256Hex(String seed) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(seed.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
