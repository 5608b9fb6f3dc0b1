package io.jrunc.runc.cli;

import io.jrunc.json.Json;
import java.util.ArrayList;
import java.util.List;

/** Reads runc's JSON outputs. */
final class RuncJson {
    private RuncJson() {}

    /** {@code runc ps --format json}: an array of pids ({@code null} when there are none). */
    static List<Integer> parsePids(String output) {
        Object value = Json.parse(output.strip());
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> items)) {
            throw new IllegalArgumentException("expected a JSON array of pids, got: " + abbreviate(output));
        }
        List<Integer> pids = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof Long pid) || pid <= 0 || pid > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("not a pid: " + item);
            }
            pids.add(pid.intValue());
        }
        return pids;
    }

    private static String abbreviate(String text) {
        String t = text.strip();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
