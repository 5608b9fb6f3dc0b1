package io.jrunc.runc.process;

import io.jrunc.json.Json;
import io.jrunc.json.JsonException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The OCI {@code Process} JSON of an Exec request, as runc exec reads it. */
public final class ExecSpecs {
    private ExecSpecs() {}

    /**
     * The spec with {@code terminal} set to the request's value (the request's flag wins over the spec's, as in
     * the Go shim). Members the shim does not know are kept for runc.
     *
     * @throws IllegalArgumentException when the bytes are not a JSON object
     */
    public static byte[] withTerminal(byte[] json, boolean terminal) {
        Map<String, Object> spec;
        try {
            spec = new LinkedHashMap<>(Json.parseObject(new String(json, StandardCharsets.UTF_8)));
        } catch (JsonException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        spec.put("terminal", terminal);
        return Json.writeBytes(spec);
    }
}
