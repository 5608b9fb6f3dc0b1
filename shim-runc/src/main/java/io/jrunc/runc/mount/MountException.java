package io.jrunc.runc.mount;

/** A rootfs component that could not be mounted. */
public final class MountException extends Exception {
    private static final long serialVersionUID = 1L;

    public MountException(String message, Throwable cause) {
        super(message, cause);
    }
}
