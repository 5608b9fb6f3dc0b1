package io.jrunc.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The tested snippets of docs/operating.md: a fenced code block right after a line
 * {@code <!-- snippet: NAME -->}. Tests configure containerd with them (or check them), so the operator's
 * recipes are the ones that ran.
 */
public final class OperatingDoc {
    private OperatingDoc() {
    }

    public static Path file() {
        return ItPaths.projectRoot().resolve("docs/operating.md");
    }

    /** The text of snippet {@code name} (without the fences), ending with a newline. */
    public static String snippet(String name) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String marker = "<!-- snippet: " + name + " -->";
        int at = lines.indexOf(marker);
        if (at < 0 || at + 1 >= lines.size() || !lines.get(at + 1).startsWith("```")) {
            throw new IllegalStateException(file() + ": no fenced block after " + marker);
        }
        StringBuilder text = new StringBuilder();
        for (int i = at + 2; i < lines.size(); i++) {
            if (lines.get(i).equals("```")) {
                return text.toString();
            }
            text.append(lines.get(i)).append('\n');
        }
        throw new IllegalStateException(file() + ": the block after " + marker + " is not closed");
    }
}
