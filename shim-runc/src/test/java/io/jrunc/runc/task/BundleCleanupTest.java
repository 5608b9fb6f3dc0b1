package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.runc.RuncRuntime;
import io.jrunc.runc.mount.RootfsMounter;
import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.runc.testsupport.Natives;
import io.jrunc.shim.ShimFlags;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The delete action: idempotent cleanup of a bundle. */
class BundleCleanupTest {
    @TempDir
    Path dir;

    private final AtomicInteger reapersStarted = new AtomicInteger();

    private DeleteResponse cleanup(Path bundle) throws Exception {
        RuncRuntime runtime = new RuncRuntime(Natives::posix, () -> {
            reapersStarted.incrementAndGet();
            return Natives.reaper();
        });
        return runtime.cleanup(new ShimFlags("testns", "c1", "/run/test.sock", "", bundle, false, Optional.empty(),
                ShimFlags.Action.DELETE));
    }

    private static void assertKilledNow(DeleteResponse response) {
        assertEquals(137, response.getExitStatus());
        Instant at = Instant.ofEpochSecond(response.getExitedAt().getSeconds(), response.getExitedAt().getNanos());
        assertTrue(Duration.between(at, Instant.now()).abs().toSeconds() < 10, at.toString());
    }

    @Test
    void missingBundleIsAlreadyClean() throws Exception {
        DeleteResponse response = cleanup(dir.resolve("gone"));
        assertEquals(0, response.getPid());
        assertKilledNow(response);
        assertEquals(0, reapersStarted.get(), "no runtime file: runc is not run");
    }

    @Test
    void emptyBundleIsAlreadyClean() throws Exception {
        Path bundle = Files.createDirectories(dir.resolve("b"));
        Files.createDirectory(bundle.resolve("rootfs"));
        DeleteResponse response = cleanup(bundle);
        assertEquals(0, response.getPid());
        assertKilledNow(response);
        assertEquals(0, reapersStarted.get());
    }

    @Test
    void createdBundleIsForceDeletedUnmountedAndReported() throws Exception {
        FakeRunc runc = new FakeRunc(dir);
        Path bundle = Files.createDirectories(dir.resolve("b"));
        Path rootfs = Files.createDirectory(bundle.resolve("rootfs"));
        Natives.posix().mount("tmpfs", rootfs, "tmpfs", 0, "size=1m");
        Files.writeString(bundle.resolve("runtime"), runc.binary().toString());
        Files.writeString(bundle.resolve("options.json"), "{\"root\":\"" + runc.root() + "\"}");
        Files.writeString(bundle.resolve("init.pid"), "4242");
        Files.createDirectories(runc.root().resolve("testns/c1"));
        try {
            DeleteResponse response = cleanup(bundle);
            assertEquals(4242, response.getPid());
            assertKilledNow(response);
            assertEquals(List.of("--root " + runc.root().resolve("testns") + " --log " + bundle.resolve("log.json")
                    + " --log-format json delete --force c1"), runc.invocations());
            assertFalse(Files.exists(runc.root().resolve("testns/c1")));
            assertTrue(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .noneMatch(l -> l.split(" ")[4].equals(rootfs.toString())));
            // Idempotent: a second run only warns (runc says the container does not exist).
            assertEquals(4242, cleanup(bundle).getPid());
        } finally {
            new RootfsMounter(Natives.posix()).unmountAll(rootfs);
        }
    }

}
