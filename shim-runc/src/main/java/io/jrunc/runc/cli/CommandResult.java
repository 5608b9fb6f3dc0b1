package io.jrunc.runc.cli;

/**
 * How a command ended.
 *
 * @param status exit code, or 128 + signal
 * @param output what it wrote to stdout and stderr, when that was captured (else empty)
 */
public record CommandResult(int status, String output) {
    public boolean succeeded() {
        return status == 0;
    }
}
