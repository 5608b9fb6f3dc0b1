package io.jrunc.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Where a shim listens: what its bundle's {@code address} file says, and what containerd 1.6 derives. */
public final class ShimAddress {
    /** containerd 1.6 shims put their sockets here whatever containerd's own state dir is. */
    public static final Path SOCKET_DIR = Path.of("/run/containerd/s");

    private ShimAddress() {
    }

    /**
     * The socket the Go shim creates for a container: sha256 of "{containerd grpc address}/{ns}/{id}"
     * (a cleaned path join), hex, under {@link #SOCKET_DIR}.
     */
    public static Path derived(Path containerdGrpcSocket, String namespace, String id) {
        String key = containerdGrpcSocket.resolve(namespace).resolve(id).normalize().toString();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return SOCKET_DIR.resolve(HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@code <bundle>/address} ("unix:///run/containerd/s/<hex>") and returns the socket path. */
    public static Path fromBundle(Path bundle) {
        try {
            String address = Files.readString(bundle.resolve("address"), StandardCharsets.UTF_8).strip();
            return socketPath(address);
        } catch (IOException e) {
            throw new UncheckedIOException("no shim address in " + bundle, e);
        }
    }

    /** Strips the {@code unix://} scheme containerd and shims use. */
    public static Path socketPath(String address) {
        String prefix = "unix://";
        return Path.of(address.startsWith(prefix) ? address.substring(prefix.length()) : address);
    }
}
