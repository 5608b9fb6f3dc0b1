package io.jrunc.runc.console;

/** A terminal that could not be set up or received; the message says what went wrong. */
public class ConsoleException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConsoleException(String message) {
        super(message);
    }

    public ConsoleException(String message, Throwable cause) {
        super(message, cause);
    }
}
