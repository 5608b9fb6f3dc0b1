package io.jrunc.shim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shim's own config file, for what containerd 1.6 cannot hand a non-runc runtime per container.
 * A strict TOML subset that the launcher script parses the same way: one {@code key = value} per
 * line, the value a bare word ({@code [A-Za-z0-9._-]+}) or a double-quoted string without quotes or
 * backslashes inside, {@code #} comments and blank lines. Anything else is an error naming the line.
 *
 * <pre>
 * # /etc/jrunc/config.toml
 * grouping = "namespace"
 * linger = "30s"
 * </pre>
 */
final class ShimConfigFile {
    private static final Pattern LINE = Pattern.compile(
            "[ \\t]*([A-Za-z_][A-Za-z0-9_]*)[ \\t]*=[ \\t]*(?:\"([^\"\\\\]*)\"|([A-Za-z0-9._-]+))[ \\t]*(?:#.*)?");
    private static final Pattern BLANK_OR_COMMENT = Pattern.compile("[ \\t]*(?:#.*)?");

    private ShimConfigFile() {}

    /** The settings in {@code file}; empty when the file does not exist. */
    static Map<String, String> read(Path file) throws ShimUsageException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new ShimUsageException("cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> settings = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (BLANK_OR_COMMENT.matcher(line).matches()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new ShimUsageException(file + " line " + (i + 1) + ": expected key = \"value\", got \"" + line.strip() + "\"");
            }
            settings.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
        }
        return settings;
    }
}
