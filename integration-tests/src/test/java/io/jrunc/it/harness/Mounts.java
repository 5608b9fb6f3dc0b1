package io.jrunc.it.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/** Mount points from /proc/self/mountinfo, and unmounting what a test left behind. */
public final class Mounts {
    private Mounts() {
    }

    /** Mount points at or below {@code dir}, deepest first. */
    public static List<Path> under(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .map(line -> line.split(" "))
                    .filter(fields -> fields.length > 4)
                    .map(fields -> Path.of(unescape(fields[4])))
                    .filter(p -> p.startsWith(base))
                    .distinct()
                    .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                    .toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Unmounts everything below {@code dir} (lazily if busy); returns what was mounted. */
    public static List<Path> unmountAll(Path dir) {
        List<Path> mounted = under(dir);
        for (Path p : mounted) {
            if (!Command.run(Duration.ofSeconds(10), List.of("umount", p.toString())).ok()) {
                Command.run(Duration.ofSeconds(10), List.of("umount", "-l", p.toString()));
            }
        }
        return mounted;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
