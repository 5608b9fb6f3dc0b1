package io.jrunc.shim;

import java.util.concurrent.CompletableFuture;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT end the daemon in order (the JVM's default would run no cleanup of ours).
 * sun.misc.Signal (jdk.unsupported) is used for these two only; SIGCHLD is not needed because the
 * reaper blocks in waitpid.
 */
final class ExitSignals {
    private ExitSignals() {}

    static void install(CompletableFuture<String> exit) {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> exit.complete("SIG" + signal.getName()));
        }
    }
}
