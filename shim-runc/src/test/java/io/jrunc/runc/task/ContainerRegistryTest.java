package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.posix.ProcessExit;
import io.jrunc.runc.io.NullIo;
import io.jrunc.runc.io.StdioSpec;
import io.jrunc.runc.process.ExecProcess;
import io.jrunc.runc.process.InitProcess;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerRegistryTest {
    private final ContainerRegistry registry = new ContainerRegistry();

    private static Container container(String id, int pid) {
        InitProcess init = new InitProcess(id, pid, new StdioSpec("", "", "", false), null, new NullIo(), null,
                Optional.empty());
        return new Container(id, Path.of("/b", id), init, false);
    }

    @Test
    void exitBeforeRegistrationIsHandedToTheNewContainer() {
        ContainerRegistry.EarlyExits early = registry.beginCreate("c1");
        ProcessExit exit = new ProcessExit(4242, 7, Instant.now());
        assertEquals(Optional.empty(), registry.route(new ProcessExit(1111, 0, Instant.now())));
        assertEquals(Optional.empty(), registry.route(exit));
        assertEquals(Optional.of(exit), registry.register(container("c1", 4242), early));
    }

    @Test
    void laterExitsAreRoutedByPidOnce() {
        Container c = container("c1", 4242);
        registry.register(c, registry.beginCreate("c1"));
        ProcessExit exit = new ProcessExit(4242, 0, Instant.now());
        assertEquals(Optional.of(new ContainerRegistry.InitOwner(c)), registry.route(exit));
        // The pid is free for reuse once its exit was routed.
        assertEquals(Optional.empty(), registry.route(exit));
    }

    @Test
    void exitsWhileNoCreateIsInFlightAreNotKept() {
        ProcessExit stale = new ProcessExit(4242, 1, Instant.now());
        registry.route(stale);
        assertEquals(Optional.empty(), registry.register(container("c1", 4242), registry.beginCreate("c1")));
    }

    @Test
    void idsAreUniqueAndRemovalFreesThem() {
        Container c = container("c1", 10);
        ContainerRegistry.EarlyExits early = registry.beginCreate("c1");
        ShimException dup = assertThrows(ShimException.class, () -> registry.beginCreate("c1"));
        assertEquals(ErrorKind.ALREADY_EXISTS, dup.kind());
        assertFalse(registry.isEmpty(), "a create in flight keeps the daemon alive");
        registry.register(c, early);
        assertSame(c, registry.get("c1"));
        registry.remove(c);
        assertTrue(registry.isEmpty());
        ShimException missing = assertThrows(ShimException.class, () -> registry.get("c1"));
        assertEquals(ErrorKind.NOT_FOUND, missing.kind());
        assertEquals("container not created: not found", missing.getMessage());
    }

    @Test
    void execPidsAreClaimedLateAndForgottenWithTheirExecOrContainer() {
        Container c = container("c1", 10);
        registry.register(c, registry.beginCreate("c1"));
        ExecProcess e1 = new ExecProcess("e1", "{}".getBytes(), new StdioSpec("", "", "", false), null);
        ExecProcess e2 = new ExecProcess("e2", "{}".getBytes(), new StdioSpec("", "", "", false), null);

        ContainerRegistry.EarlyExits watch = registry.watchExits();
        ProcessExit early = new ProcessExit(20, 3, Instant.now());
        assertEquals(Optional.empty(), registry.route(early));
        assertEquals(Optional.of(early), registry.claimExecPid(c, e1, 20, watch), "reaped before its pid was read");
        assertEquals(Optional.empty(), registry.claimExecPid(c, e2, 21, watch));
        registry.stopWatching(watch);
        ProcessExit late = new ProcessExit(21, 0, Instant.now());
        assertEquals(Optional.of(new ContainerRegistry.ExecOwner(c, e2)), registry.route(late));

        ContainerRegistry.EarlyExits again = registry.watchExits();
        registry.claimExecPid(c, e1, 22, again);
        registry.claimExecPid(c, e2, 23, again);
        registry.stopWatching(again);
        registry.forgetExec(e1);
        assertEquals(Optional.empty(), registry.route(new ProcessExit(22, 0, Instant.now())));
        registry.remove(c);
        assertEquals(Optional.empty(), registry.route(new ProcessExit(23, 0, Instant.now())));
        assertEquals(Optional.empty(), registry.route(new ProcessExit(10, 0, Instant.now())));
    }

    @Test
    void aContainerWithoutPidYetIsRoutedOnceItsRestoredPidIsClaimed() {
        Container c = container("c1", 0);
        registry.register(c, registry.beginCreate("c1"));
        assertEquals(Optional.empty(), registry.route(new ProcessExit(0, 0, Instant.now())));
        ContainerRegistry.EarlyExits watch = registry.watchExits();
        assertEquals(Optional.empty(), registry.claimInitPid(c, 30, watch));
        registry.stopWatching(watch);
        assertEquals(Optional.of(new ContainerRegistry.InitOwner(c)), registry.route(new ProcessExit(30, 0, Instant.now())));
    }

    @Test
    void abortedCreateReleasesTheId() {
        registry.abortCreate(registry.beginCreate("c1"));
        assertTrue(registry.isEmpty());
        assertDoesNotThrow(() -> registry.beginCreate("c1"));
    }
}
