package io.jrunc.posix;

/** Processes: identity, signals, subreaping, detached spawn. Part of {@link Posix}. */
public interface Processes {
    int SIGKILL = 9;
    int SIGTERM = 15;

    int pid();

    int parentPid();

    /** prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants become our children. */
    void becomeChildSubreaper() throws PosixException;

    /** Fails with errno 3 (ESRCH) when no such process exists. */
    void kill(int pid, int signal) throws PosixException;

    /**
     * Starts a process that nobody in this JVM waits for (see {@link Spawner#spawn}, which {@code start}
     * uses directly to launch the daemon). Returns its pid.
     */
    int spawnDetached(SpawnSpec spec) throws PosixException;
}
