package io.jrunc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * A file of pseudo-random bytes placed in the container's rootfs (/tmp), with its length and CRC32C,
 * so that what comes out of a container's {@code cat} can be checked byte for byte in order. Random
 * rather than zeros so a lost, repeated or reordered chunk changes the checksum.
 */
record Payload(Path hostPath, String containerPath, long size, long crc32c) {
    private static final int CHUNK = 1 << 20;

    static Payload create(Path rootfs, long size) {
        String inContainer = "/tmp/jrunc-bench-payload";
        Path host = rootfs.resolve(inContainer.substring(1));
        SplittableRandom random = new SplittableRandom(0x6a72756e63L);
        CRC32C crc = new CRC32C();
        byte[] chunk = new byte[CHUNK];
        try (FileChannel out = FileChannel.open(host, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; ) {
                int n = (int) Math.min(CHUNK, size - written);
                random.nextBytes(chunk);
                crc.update(chunk, 0, n);
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, n);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                written += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the payload " + host, e);
        }
        return new Payload(host, inContainer, size, crc.getValue());
    }

    void delete() {
        try {
            Files.deleteIfExists(hostPath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
