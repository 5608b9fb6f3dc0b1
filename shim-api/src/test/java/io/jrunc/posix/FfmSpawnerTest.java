package io.jrunc.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FFM calls of {@code start}; StartActionTest checks what a spawned daemon inherits. */
class FfmSpawnerTest {
    @TempDir
    Path tmp;
    private final FfmSpawner ffm = FfmSpawner.instance();

    @Test
    void listensAndReportsATakenPath() throws Exception {
        Path socket = tmp.resolve("s");
        int fd = ffm.listenUnix(socket, 8);
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertTrue(client.connect(UnixDomainSocketAddress.of(socket)));
            PosixException taken = assertThrows(PosixException.class, () -> ffm.listenUnix(socket, 8));
            assertEquals(Errno.EADDRINUSE, taken.errno());
        } finally {
            ffm.close(fd);
        }
        PosixException tooLong = assertThrows(PosixException.class, () -> ffm.listenUnix(tmp.resolve("x".repeat(120)), 8));
        assertEquals(Errno.EINVAL, tooLong.errno());
    }

    @Test
    void spawnsWithEnvironmentAndDirectoryAndKills() throws Exception {
        Path out = tmp.resolve("out");
        int pid = ffm.spawnDetached(new SpawnSpec(List.of("sh", "-c", "echo \"$GREETING $(pwd)\" > out; exec sleep 30"),
                Map.of("GREETING", "hello", "PATH", "/usr/bin:/bin"), Optional.of(tmp), Map.of(), true));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(out) || Files.size(out) == 0) {
            assertTrue(System.nanoTime() < deadline, "the child never wrote");
            Thread.sleep(10);
        }
        assertEquals("hello " + tmp.toRealPath() + "\n", Files.readString(out));
        ffm.kill(pid, Posix.SIGKILL);
        ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
        assertTrue(child.onExit().get(10, TimeUnit.SECONDS) != null);
        PosixException gone = assertThrows(PosixException.class, () -> ffm.kill(Integer.MAX_VALUE - 1, 0));
        assertEquals(Errno.ESRCH, gone.errno());
        PosixException missing = assertThrows(PosixException.class, () -> ffm.spawnDetached(new SpawnSpec(
                List.of("/nonexistent/program"), Map.of(), Optional.empty(), Map.of(), false)));
        assertEquals(Errno.ENOENT, missing.errno());
    }
}
