package io.jrunc.shim;

import io.jrunc.posix.Reaper;
import io.jrunc.shim.event.EventPublisher;

/**
 * What the framework hands a runtime's Task service in the daemon.
 *
 * @param flags the daemon's command line (namespace, address, debug)
 * @param events publisher of task events to containerd
 * @param reaper the only way to start child processes and learn their exits
 * @param lifecycle lets the Task service ask the daemon to exit once it owns nothing
 */
public record ShimContext(ShimFlags flags, EventPublisher events, Reaper reaper, DaemonLifecycle lifecycle) {

    /** The daemon's side of Shutdown. */
    public interface DaemonLifecycle {
        /** Exits the daemon after in-flight responses are written. */
        void requestExit();

        /** The daemon's own pid, as Connect reports it. */
        long pid();
    }
}
