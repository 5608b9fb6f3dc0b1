package io.jrunc.runc.cgroups;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reading cgroup files the way containerd's cgroups library does. Values are unsigned 64-bit (Java
 * {@code long} holding the bits, as protobuf's uint64): a negative number reads as 0, "max" (v2) as
 * 2^64-1. A missing file is not an error here (a controller or kernel feature may be absent): readers
 * return empty and the field stays 0.
 */
final class CgroupFiles {
    /** "max" in cgroup v2 files: no limit, reported as the largest uint64. */
    static final long MAX = -1L;

    private CgroupFiles() {}

    /** The file's text, or empty if it does not exist. */
    static Optional<String> read(Path file) throws IOException {
        try {
            return Optional.of(Files.readString(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** A file holding one unsigned number (or "max" when {@code maxAs} is given). */
    static OptionalLong readUint(Path file, OptionalLong maxAs) throws IOException {
        Optional<String> text = read(file);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        String value = text.get().strip();
        if (value.equals("max") && maxAs.isPresent()) {
            return maxAs;
        }
        return OptionalLong.of(parseUint(value, file));
    }

    /** A file holding one unsigned number; "max" is malformed. */
    static OptionalLong readUint(Path file) throws IOException {
        return readUint(file, OptionalLong.empty());
    }

    /** A file holding one unsigned number or "max" (2^64-1). */
    static OptionalLong readUintOrMax(Path file) throws IOException {
        return readUint(file, OptionalLong.of(MAX));
    }

    /**
     * A flat keyed file ({@code memory.stat}, {@code cpu.stat}, {@code memory.events}): "key value" lines.
     * Lines that are not a key and an unsigned number are skipped. Empty if the file does not exist.
     */
    static Optional<Map<String, Long>> readKeyValues(Path file) throws IOException {
        return read(file).map(CgroupFiles::parseKeyValues);
    }

    static Map<String, Long> parseKeyValues(String text) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 2) {
                try {
                    values.put(fields[0], parseUint(fields[1]));
                } catch (NumberFormatException e) {
                    // e.g. a "max" value: not a counter
                }
            }
        }
        return values;
    }

    /** Unsigned decimal; negative values (memory.limit of -1 on some kernels) read as 0, as in Go. */
    static long parseUint(String value) {
        if (value.length() > 1 && value.charAt(0) == '-' && value.substring(1).chars().allMatch(Character::isDigit)) {
            return 0;
        }
        return Long.parseUnsignedLong(value);
    }

    private static long parseUint(String value, Path file) throws IOException {
        try {
            return parseUint(value);
        } catch (NumberFormatException e) {
            throw new IOException("cannot parse \"" + value + "\" in " + file + " as an unsigned number");
        }
    }
}
