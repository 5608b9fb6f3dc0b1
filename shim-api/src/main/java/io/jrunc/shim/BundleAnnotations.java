package io.jrunc.shim;

import io.jrunc.json.Json;
import io.jrunc.json.JsonException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** The annotations of an OCI bundle's {@code config.json}, which {@code start} reads for settings and grouping. */
public final class BundleAnnotations {
    private BundleAnnotations() {}

    /** Empty without a config.json; an error naming the file when it is not JSON. */
    public static Map<String, Object> read(Path bundle) throws IOException {
        Path config = bundle.resolve("config.json");
        byte[] content;
        try {
            content = Files.readAllBytes(config);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        try {
            return Json.object(Json.parseObject(content), "annotations");
        } catch (JsonException e) {
            throw new IOException(config + ": " + e.getMessage(), e);
        }
    }
}
