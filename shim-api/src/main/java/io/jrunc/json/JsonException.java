package io.jrunc.json;

/** Text that is not JSON, or a value that cannot be written as JSON. */
public class JsonException extends IllegalArgumentException {
    public JsonException(String message) {
        super(message);
    }
}
