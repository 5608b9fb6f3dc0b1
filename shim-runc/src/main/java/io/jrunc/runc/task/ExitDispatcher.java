package io.jrunc.runc.task;

import io.jrunc.posix.ProcessExit;
import io.jrunc.posix.Reaper;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * Moves exits off the reaper's thread (whose subscribers must never block) onto one thread of the Task
 * service, in the order reaped. Handling may block, e.g. on the kill-all runc call of a shared-pid container.
 */
final class ExitDispatcher {
    private static final Logger LOG = System.getLogger(ExitDispatcher.class.getName());

    private final LinkedBlockingQueue<ProcessExit> queue = new LinkedBlockingQueue<>();
    private final Consumer<ProcessExit> handler;

    private ExitDispatcher(Consumer<ProcessExit> handler) {
        this.handler = handler;
    }

    static ExitDispatcher start(Reaper reaper, Consumer<ProcessExit> handler) {
        ExitDispatcher dispatcher = new ExitDispatcher(handler);
        Thread.ofPlatform().daemon().name("jrunc-exits").start(dispatcher::loop);
        reaper.subscribe(dispatcher.queue::add);
        return dispatcher;
    }

    private void loop() {
        while (true) {
            ProcessExit exit;
            try {
                exit = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                handler.accept(exit);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "handling the exit of pid " + exit.pid() + " failed", e);
            }
        }
    }
}
