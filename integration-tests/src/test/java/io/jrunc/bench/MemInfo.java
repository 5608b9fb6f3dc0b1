package io.jrunc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** /proc/meminfo: how much memory the machine has and how much it can still give. */
final class MemInfo {
    private MemInfo() {
    }

    static long totalBytes() {
        return field("MemTotal:");
    }

    /** MemAvailable: what can be allocated without swapping (page cache it would drop counts). */
    static long availableBytes() {
        return field("MemAvailable:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).strip().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no " + name + " in /proc/meminfo");
    }
}
