package io.jrunc.runc.io;

import java.time.Duration;
import java.util.Map;

/**
 * The shim's side of a process's stdio. Lifecycle: hand {@link #childFds()} to runc, call
 * {@link #afterSpawn()} once runc runs, {@link #start()} once runc created the process, then
 * {@link #awaitOutputDrained} and {@link #close()} when the process is deleted.
 */
public interface ProcessIo extends AutoCloseable {

    /** Child fd (0-2) -> shim fd runc must get; empty map for /dev/null everywhere. */
    Map<Integer, Integer> childFds();

    /** runc holds its copies now: drop the shim's copies of the child's ends so EOF can happen. */
    void afterSpawn();

    /** Opens the client's FIFOs/files and starts copying. */
    void start() throws IoException;

    /** Waits until stdout and stderr were copied to the end (the process and its children closed them). */
    boolean awaitOutputDrained(Duration timeout) throws InterruptedException;

    /** CloseIO: lets stdin reach EOF once the client closes its writer too. */
    void closeStdin();

    /** Releases everything the shim still holds. Copiers finish on their own at EOF. */
    @Override
    void close();
}
