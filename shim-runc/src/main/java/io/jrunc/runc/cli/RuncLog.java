package io.jrunc.runc.cli;

import io.jrunc.json.Json;
import io.jrunc.json.JsonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** runc's {@code --log-format json} file: one JSON object per line ({@code level}, {@code msg}, {@code time}). */
public final class RuncLog {
    private RuncLog() {}

    /**
     * The message of the last {@code "level":"error"} record, trimmed; empty when there is none or the file
     * does not exist. Lines that are not JSON objects are skipped.
     */
    public static Optional<String> lastError(Path log) throws IOException {
        String text;
        try {
            text = Files.readString(log, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String last = null;
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> record;
            try {
                record = Json.parseObject(line);
            } catch (JsonException e) {
                continue;
            }
            if ("error".equals(Json.string(record, "level").orElse(""))) {
                last = Json.string(record, "msg").orElse("").strip();
            }
        }
        return Optional.ofNullable(last).filter(s -> !s.isEmpty());
    }
}
