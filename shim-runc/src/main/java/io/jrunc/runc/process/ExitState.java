package io.jrunc.runc.process;

import java.time.Instant;
import java.util.Optional;

/**
 * What is known about a process's end.
 *
 * @param status exit code (128 + signal when killed), 0 while running
 * @param exitedAt when the reaper saw it exit; empty while it has not
 */
public record ExitState(int status, Optional<Instant> exitedAt) {
    public static final ExitState NOT_EXITED = new ExitState(0, Optional.empty());
}
