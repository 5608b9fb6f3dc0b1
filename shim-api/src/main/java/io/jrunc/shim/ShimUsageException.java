package io.jrunc.shim;

/** A command line the shim cannot act on; the message is one line saying what to fix. */
public class ShimUsageException extends Exception {
    public ShimUsageException(String message) {
        super(message);
    }
}
