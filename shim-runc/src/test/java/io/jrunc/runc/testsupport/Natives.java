package io.jrunc.runc.testsupport;

import io.jrunc.posix.ChildReaper;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.ProcessExit;
import io.jrunc.posix.Reaper;
import io.jrunc.runc.io.StdioLoop;
import java.util.function.Consumer;

/**
 * The real kernel door and the one reaper of this test JVM. The JVM becomes a child subreaper, like the
 * daemon, so orphaned "container" processes of the fake runc are reaped here. Tests never use
 * ProcessBuilder (it would race the reaper for exit statuses).
 */
public final class Natives {
    private static Reaper reaper;
    private static StdioLoop stdioLoop;

    private Natives() {}

    public static Posix posix() {
        return Posix.get();
    }

    /** The stdio loop of this test JVM, as the daemon has one for all its processes. */
    public static synchronized StdioLoop stdioLoop() {
        if (stdioLoop == null) {
            stdioLoop = new StdioLoop(posix());
        }
        return stdioLoop;
    }

    public static synchronized Reaper reaper() {
        if (reaper == null) {
            try {
                posix().becomeChildSubreaper();
            } catch (PosixException e) {
                throw new IllegalStateException(e);
            }
            reaper = new Shared(ChildReaper.start());
        }
        return reaper;
    }

    /** The shared reaper; close() is a no-op because every test uses it. */
    private record Shared(Reaper delegate) implements Reaper {
        @Override
        public Spawned spawn(io.jrunc.posix.SpawnSpec spec) throws PosixException {
            return delegate.spawn(spec);
        }

        @Override
        public void subscribe(Consumer<ProcessExit> listener) {
            delegate.subscribe(listener);
        }

        @Override
        public void close() {}
    }
}
