package io.jrunc.runc.cli;

/**
 * A runc invocation that failed. The message reads like go-runc's ("runc did not terminate successfully:
 * exit status 1: container does not exist"), because the Go shim's error texts are built from it.
 */
public final class RuncException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String output;

    public RuncException(String message, int status, String output) {
        super(message);
        this.status = status;
        this.output = output;
    }

    public RuncException(String message, Throwable cause) {
        super(message, cause);
        this.status = -1;
        this.output = "";
    }

    static RuncException failed(String binary, CommandResult result, boolean captured) {
        String message = binary + " did not terminate successfully: exit status " + result.status();
        if (captured) {
            message += ": " + result.output().strip();
        }
        return new RuncException(message, result.status(), result.output());
    }

    /** runc's exit status, or -1 when runc could not be run at all. */
    public int status() {
        return status;
    }

    /** What runc printed, when it was captured. */
    public String output() {
        return output;
    }
}
