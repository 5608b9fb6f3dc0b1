package io.jrunc.shim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The bundle's {@code address} file: the daemon's socket address, which containerd 1.6/1.7 read
 * to reconnect after a restart, and the daemon reads to know which socket to remove.
 */
public final class AddressFile {
    public static final String NAME = "address";

    private AddressFile() {}

    /** Writes {@code .address} and renames it, so a reader never sees half an address. */
    public static void write(Path bundle, ShimSocketAddress address) throws IOException {
        Path temporary = bundle.resolve("." + NAME);
        Files.write(temporary, address.toString().getBytes(StandardCharsets.UTF_8));
        Files.move(temporary, bundle.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The address in {@code bundle}, empty when there is no file or it holds no unix:// address. */
    public static Optional<ShimSocketAddress> read(Path bundle) {
        try {
            return Optional.of(ShimSocketAddress.parse(Files.readString(bundle.resolve(NAME), StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
