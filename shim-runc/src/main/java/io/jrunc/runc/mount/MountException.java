package io.jrunc.runc.mount;

/** A rootfs component that could not be mounted. */
public final class MountException extends Exception {
    public MountException(String message, Throwable cause) {
        super(message, cause);
    }
}
