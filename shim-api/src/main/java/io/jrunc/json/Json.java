package io.jrunc.json;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Minimal JSON (RFC 8259) without a library: enough for OCI config.json, runc's output and our
 * own small files.
 *
 * <p>Values map to Java as: object = {@code Map<String, Object>} (insertion ordered; a repeated key
 * keeps the last value, like Go), array = {@code List<Object>}, string = {@code String}, number =
 * {@code Long} when integral and in range, else {@code BigInteger} when integral, else
 * {@code Double}, true/false = {@code Boolean}, null = {@code null}.
 */
public final class Json {
    private Json() {}

    public static Object parse(String text) {
        return new JsonParser(text).parseDocument();
    }

    public static Object parse(byte[] utf8) {
        return parse(new String(utf8, StandardCharsets.UTF_8));
    }

    /** Parses a document whose top level must be an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new JsonException("expected a JSON object at the top level, found " + typeName(value));
        }
        return (Map<String, Object>) value;
    }

    public static Map<String, Object> parseObject(byte[] utf8) {
        return parseObject(new String(utf8, StandardCharsets.UTF_8));
    }

    /**
     * Compact JSON for maps (String keys), iterables, arrays, strings, numbers, booleans, null and
     * {@link Optional} (empty = null).
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        JsonWriter.write(value, out);
        return out.toString();
    }

    public static byte[] writeBytes(Object value) {
        return write(value).getBytes(StandardCharsets.UTF_8);
    }

    /** The member {@code key} of an object if it is a string. */
    public static Optional<String> string(Map<String, ?> object, String key) {
        return object.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** The member {@code key} of an object if it is an integral number that fits a long. */
    public static Optional<Long> integer(Map<String, ?> object, String key) {
        return object.get(key) instanceof Long l ? Optional.of(l) : Optional.empty();
    }

    /** The member {@code key} of an object if it is a boolean. */
    public static Optional<Boolean> bool(Map<String, ?> object, String key) {
        return object.get(key) instanceof Boolean b ? Optional.of(b) : Optional.empty();
    }

    /** The member {@code key} of an object if it is an object; empty otherwise. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Map<String, ?> object, String key) {
        return object.get(key) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The member {@code key} of an object if it is an array; empty otherwise. */
    @SuppressWarnings("unchecked")
    public static List<Object> array(Map<String, ?> object, String key) {
        return object.get(key) instanceof List<?> l ? (List<Object>) l : List.of();
    }

    static String typeName(Object value) {
        return switch (value) {
            case null -> "null";
            case Map<?, ?> _ -> "an object";
            case List<?> _ -> "an array";
            case String _ -> "a string";
            case Number _ -> "a number";
            case Boolean _ -> "a boolean";
            default -> value.getClass().getSimpleName();
        };
    }
}
