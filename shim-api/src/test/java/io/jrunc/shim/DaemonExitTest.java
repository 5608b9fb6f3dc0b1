package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DaemonExitTest {
    private static final Duration LINGER = Duration.ofMillis(300);
    private static final Duration GRACE = Duration.ofMillis(200);

    private final CompletableFuture<String> exit = new CompletableFuture<>();
    private final List<String> presence = new CopyOnWriteArrayList<>();
    private final DaemonExit.Presence recorder = new DaemonExit.Presence() {
        @Override
        public void serving() {
            presence.add("serving");
        }

        @Override
        public void retiring() {
            presence.add("retiring@" + (exit.isDone() ? "done" : "open"));
        }
    };

    @Test
    void withoutLingerTheDaemonExitsAtOnce() {
        DaemonExit daemonExit = new DaemonExit(exit, Duration.ZERO, GRACE, recorder);
        daemonExit.requestExit();
        assertEquals("shutdown requested", exit.getNow(null));
        assertEquals(List.of("retiring@open"), presence, "marked retiring before the exit is decided");
        ShimException late = assertThrows(ShimException.class, daemonExit::beginCreate);
        assertEquals(ErrorKind.UNAVAILABLE, late.kind());
    }

    @Test
    void anExitRequestDuringACreateIsIgnored() {
        DaemonExit daemonExit = new DaemonExit(exit, Duration.ZERO, GRACE, recorder);
        daemonExit.beginCreate();
        daemonExit.requestExit();
        daemonExit.endCreate();
        assertFalse(exit.isDone(), "the container being created keeps the daemon");
        daemonExit.requestExit();
        assertTrue(exit.isDone());
    }

    @Test
    void aLingeringDaemonRetiresThenExits() throws Exception {
        DaemonExit daemonExit = new DaemonExit(exit, LINGER, GRACE, recorder);
        long asked = System.nanoTime();
        daemonExit.requestExit();
        daemonExit.requestExit(); // a second Shutdown does not restart the clock
        assertFalse(exit.isDone());
        assertEquals("idle for PT0.3S", exit.get(5, TimeUnit.SECONDS));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
        assertTrue(took >= LINGER.plus(GRACE).toMillis(), "exited after " + took + " ms");
        assertEquals(List.of("retiring@open"), presence, "marked retiring before the grace, once");
    }

    @Test
    void aCreateWhileLingeringCancelsTheExit() throws Exception {
        DaemonExit daemonExit = new DaemonExit(exit, LINGER, GRACE, recorder);
        daemonExit.requestExit();
        Thread.sleep(LINGER.toMillis() / 2);
        daemonExit.beginCreate();
        daemonExit.endCreate();
        Thread.sleep(LINGER.plus(GRACE).plusMillis(300).toMillis());
        assertFalse(exit.isDone(), "the stale timer did nothing");

        daemonExit.requestExit(); // the new container is gone again: a fresh linger
        assertEquals("idle for PT0.3S", exit.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aCreateDuringTheGraceRevivesTheDaemon() throws Exception {
        DaemonExit daemonExit = new DaemonExit(exit, LINGER, Duration.ofSeconds(1), recorder);
        daemonExit.requestExit();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (presence.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(List.of("retiring@open"), presence);
        daemonExit.beginCreate();
        assertEquals(List.of("retiring@open", "serving"), presence, "state file back to serving");
        daemonExit.endCreate();
        Thread.sleep(1500);
        assertFalse(exit.isDone());
    }
}
