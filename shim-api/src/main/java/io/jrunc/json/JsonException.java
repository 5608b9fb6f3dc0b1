package io.jrunc.json;

/** Text that is not JSON, or a value that cannot be written as JSON. */
public class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
