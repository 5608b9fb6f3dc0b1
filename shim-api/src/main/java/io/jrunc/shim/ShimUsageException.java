package io.jrunc.shim;

/** A command line the shim cannot act on; the message is one line saying what to fix. */
public class ShimUsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public ShimUsageException(String message) {
        super(message);
    }
}
