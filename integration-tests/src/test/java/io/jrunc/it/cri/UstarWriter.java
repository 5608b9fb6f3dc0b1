package io.jrunc.it.cri;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a POSIX ustar archive into memory: directories, regular files and symlinks, owned by root, with one
 * fixed mtime so the same content always gives the same bytes (and so the same sha256 digest). Enough for an
 * image layer and for an OCI image layout; names longer than 100 bytes are refused rather than split.
 */
final class UstarWriter {
    private static final int BLOCK = 512;
    /** 2020-01-01T00:00:00Z: any fixed time keeps digests stable. */
    private static final long MTIME = 1577836800L;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    UstarWriter directory(String name, int mode) {
        header(name.endsWith("/") ? name : name + "/", mode, 0, '5', "");
        return this;
    }

    UstarWriter file(String name, int mode, byte[] content) {
        header(name, mode, content.length, '0', "");
        out.writeBytes(content);
        pad(content.length);
        return this;
    }

    UstarWriter symlink(String name, String target) {
        header(name, 0777, 0, '2', target);
        return this;
    }

    /** Ends the archive (two zero blocks) and returns its bytes. */
    byte[] finish() {
        out.writeBytes(new byte[2 * BLOCK]);
        return out.toByteArray();
    }

    private void header(String name, int mode, long size, char type, String linkName) {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0); // uid
        octal(h, 116, 8, 0); // gid
        octal(h, 124, 12, size);
        octal(h, 136, 12, MTIME);
        h[156] = (byte) type;
        put(h, 157, 100, linkName);
        put(h, 257, 6, "ustar");
        put(h, 263, 2, "00");
        put(h, 265, 32, "root");
        put(h, 297, 32, "root");
        // The checksum is computed with its own field taken as eight spaces.
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String chk = String.format("%06o", sum);
        put(h, 148, 7, chk); // six digits, NUL, then the space already there
        out.writeBytes(h);
    }

    private void pad(long written) {
        int rest = (int) (written % BLOCK);
        if (rest != 0) {
            out.writeBytes(new byte[BLOCK - rest]);
        }
    }

    private static void put(byte[] h, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > length) {
            throw new IllegalArgumentException("tar header field too long (" + length + " bytes max): " + value);
        }
        System.arraycopy(bytes, 0, h, offset, bytes.length);
    }

    /** Zero-padded octal digits and a terminating NUL, filling {@code length} bytes. */
    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        if (digits.length() > length - 1) {
            throw new IllegalArgumentException("value too large for a " + length + "-byte tar field: " + value);
        }
        put(h, offset, length - 1, "0".repeat(length - 1 - digits.length()) + digits);
    }
}
