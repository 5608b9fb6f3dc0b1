package io.jrunc.posix;

import java.time.Instant;

/**
 * A child's exit as the reaper saw it.
 *
 * @param status the exit code, or 128 + signal number when a signal ended the process
 */
public record ProcessExit(int pid, int status, Instant exitedAt) {

    /** Decodes a raw wait(2) status word into containerd's convention. */
    public static ProcessExit fromWaitStatus(int pid, int waitStatus, Instant exitedAt) {
        int termSignal = waitStatus & 0x7f;
        int status = termSignal == 0 ? (waitStatus >> 8) & 0xff : 128 + termSignal;
        return new ProcessExit(pid, status, exitedAt);
    }
}
