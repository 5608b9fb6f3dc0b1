package io.jrunc.runc.io;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The shim's side of a process's stdio. Lifecycle: hand {@link #childFds()} to runc, call
 * {@link #afterSpawn()} once runc runs, {@link #start()} once runc created the process, then
 * {@link #awaitOutputDrained} and {@link #close()} when the process is deleted.
 */
public interface ProcessIo extends AutoCloseable {

    /** Child fd (0-2) -> shim fd runc must get; empty map for /dev/null everywhere. */
    Map<Integer, Integer> childFds();

    /** The socket runc sends a terminal's pty master to ({@code --console-socket}); empty for non-terminal IO. */
    default Optional<Path> consoleSocket() {
        return Optional.empty();
    }

    /** runc holds its copies now: drop the shim's copies of the child's ends so EOF can happen. */
    void afterSpawn();

    /**
     * Once runc created the process: opens the client's FIFOs/files and starts copying. A terminal's IO first
     * takes the pty master runc sent to {@link #consoleSocket()} (waiting up to 30 s for it).
     */
    void start() throws IoException;

    /**
     * How long the end of a process (its exit report, its Delete) waits for {@link #awaitOutputDrained}: 2 s, as
     * the Go shim waits for its IO copies in Delete. Long enough for the copies to reach the client once the
     * process closed its ends; bounded because a child that inherited stdout/stderr can keep them open for ever.
     */
    Duration OUTPUT_DRAIN_TIMEOUT = Duration.ofSeconds(2);

    /** Waits until stdout and stderr were copied to the end (the process and its children closed them). */
    boolean awaitOutputDrained(Duration timeout) throws InterruptedException;

    /** CloseIO: lets stdin reach EOF once the client closes its writer too. */
    void closeStdin();

    /**
     * ResizePty: the terminal's new size in character cells (0-65535 each). Does nothing for IO without a
     * terminal, and for a terminal not received yet or already closed, as the Go shim.
     */
    default void resize(int width, int height) throws IoException {}

    /** Releases everything the shim still holds. Copies finish on their own at EOF. */
    @Override
    void close();
}
