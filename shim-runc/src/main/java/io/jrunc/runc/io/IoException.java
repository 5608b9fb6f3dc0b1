package io.jrunc.runc.io;

/** Stdio that could not be set up; the message says which stream and why. */
public class IoException extends Exception {
    private static final long serialVersionUID = 1L;

    public IoException(String message) {
        super(message);
    }

    public IoException(String message, Throwable cause) {
        super(message, cause);
    }
}
