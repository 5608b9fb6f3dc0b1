package io.jrunc.runc.logging;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The logging binary a {@code binary://} (or {@code binary-v2://}) stdio URI names, e.g.
 * {@code binary:///usr/bin/logger?tag=web&level}: the program is the URI's path, and every query key becomes
 * two arguments, the key and its first value ({@code "tag" "web" "level" ""}), as the Go shim builds them.
 */
public record LoggerCommand(String program, List<String> args) {

    public LoggerCommand {
        args = List.copyOf(args);
    }

    public static LoggerCommand parse(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("unable to parse stdout uri: " + e.getMessage(), e);
        }
        String path = parsed.getPath();
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("logging binary URI " + uri
                    + " must name the binary by absolute path, e.g. binary:///usr/local/bin/logger");
        }
        return new LoggerCommand(path, queryArgs(parsed.getRawQuery()));
    }

    /** Keys in first-seen order (Go's map order is random, so any order is as good); first value per key. */
    private static List<String> queryArgs(String rawQuery) {
        Map<String, String> firstValues = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                firstValues.putIfAbsent(key, value);
            }
        }
        List<String> args = new ArrayList<>();
        firstValues.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        return args;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** argv: the program, then the arguments. */
    public List<String> argv() {
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.addAll(args);
        return argv;
    }
}
