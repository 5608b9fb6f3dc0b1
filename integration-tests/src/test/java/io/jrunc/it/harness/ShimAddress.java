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
    /** What containerd 2.x writes into the bundle after a shim started: its version, address and protocol. */
    public static final String BOOTSTRAP_FILE = "bootstrap.json";

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

    /**
     * Reads {@code <bundle>/address} ("unix:///run/containerd/s/<hex>") and returns the socket path. Shims that
     * write no address file (the Go shim of containerd 2.x) are found through the {@code bootstrap.json}
     * containerd 2.x writes into the bundle ({@code {"version":3,"address":"unix://...","protocol":"ttrpc"}}).
     */
    public static Path fromBundle(Path bundle) {
        try {
            if (!Files.exists(bundle.resolve("address")) && Files.exists(bundle.resolve(BOOTSTRAP_FILE))) {
                String json = Files.readString(bundle.resolve(BOOTSTRAP_FILE), StandardCharsets.UTF_8);
                return socketPath(io.jrunc.json.Json.string(io.jrunc.json.Json.parseObject(json), "address")
                        .orElseThrow(() -> new IOException("no address in " + bundle.resolve(BOOTSTRAP_FILE) + ": " + json)));
            }
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
