package io.jrunc.shim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.StringJoiner;

/** Go's {@code filepath.Join} and {@code filepath.Clean} (Unix), so hashed paths match the Go shim byte for byte. */
final class GoPaths {
    private GoPaths() {}

    /** Joins the non-empty elements with '/' and cleans the result; "" when all are empty. */
    static String join(String... elements) {
        StringJoiner joined = new StringJoiner("/");
        boolean any = false;
        for (String element : elements) {
            if (!element.isEmpty()) {
                joined.add(element);
                any = true;
            }
        }
        return any ? clean(joined.toString()) : "";
    }

    /** Lexical clean: single slashes, no "." elements, ".." resolved where possible, no trailing slash. */
    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.startsWith("/");
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty() && !parts.peekLast().equals("..")) {
                    parts.removeLast();
                } else if (!rooted) {
                    parts.addLast("..");
                }
                continue;
            }
            parts.addLast(part);
        }
        String body = String.join("/", parts);
        if (rooted) {
            return "/" + body;
        }
        return body.isEmpty() ? "." : body;
    }
}
