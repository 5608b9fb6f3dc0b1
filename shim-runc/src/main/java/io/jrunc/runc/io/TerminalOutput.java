package io.jrunc.runc.io;

/**
 * Where a terminal's output goes, opened only once the pty master arrived (as the Go shim starts a logging
 * binary only then). With a logging binary, its stdout pipe is the target and stderr stays unused.
 */
public interface TerminalOutput {

    /** The fd the output is written to; the terminal owns and closes it at the end of output. -1 drops the output. */
    int open() throws IoException;

    /** The terminal's IO is closed (after its output drained or the process was deleted): release what is left. */
    default void close() {}
}
