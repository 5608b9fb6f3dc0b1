package io.jrunc.runc.process;

import io.jrunc.posix.ProcessExit;
import java.util.Optional;

/** What the Task service does around one Start of an exec process, called by {@link ExecProcess#start}. */
public interface ExecStart {

    /**
     * The exec is in the created state and about to be launched; throw to refuse (containerd 2.x refuses once the
     * container's init exited). Once this returned, exactly one of {@link #started} or {@link #abandoned} follows.
     */
    void admit();

    /** runc wrote the pid: route its exits to the exec from now on; returns its exit if already reaped. */
    Optional<ProcessExit> claim(int pid);

    /** The process runs: publish /tasks/exec-started. Its exit comes to {@link #applyExit} only after this. */
    void started();

    /** An exit that arrived while Start was still in flight. */
    void applyExit(ProcessExit exit);

    /** The launch failed after {@link #admit}. */
    void abandoned();
}
