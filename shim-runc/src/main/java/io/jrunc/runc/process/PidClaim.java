package io.jrunc.runc.process;

import io.jrunc.posix.ProcessExit;
import java.util.Optional;

/**
 * Makes the exits of a pid learned late (an exec's, a restored init's) reach its process from now on.
 * Returns the pid's exit when it was already reaped while runc was still running.
 */
@FunctionalInterface
public interface PidClaim {
    PidClaim NONE = pid -> Optional.empty();

    Optional<ProcessExit> claim(int pid);
}
