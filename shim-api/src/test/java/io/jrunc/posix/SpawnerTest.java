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

/**
 * {@link Spawner#instance()}: the binding of {@code start}'s calls alone (the daemon's JnrPosix runs the same
 * code on its whole binding, see JnrPosixTest and ChildReaperTest); StartActionTest checks what a spawned
 * daemon inherits.
 */
class SpawnerTest {
    @TempDir
    Path tmp;
    private final Spawner spawner = Spawner.instance();

    @Test
    void listensAndReportsATakenPath() throws Exception {
        Path socket = tmp.resolve("s");
        int fd = spawner.listenUnix(socket, 8);
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertTrue(client.connect(UnixDomainSocketAddress.of(socket)));
            PosixException taken = assertThrows(PosixException.class, () -> spawner.listenUnix(socket, 8));
            assertEquals(Errno.EADDRINUSE, taken.errno());
            assertTrue(taken.getMessage().startsWith("bind failed"), taken.getMessage());
        } finally {
            spawner.close(fd);
        }
        PosixException tooLong = assertThrows(PosixException.class, () -> spawner.listenUnix(tmp.resolve("x".repeat(120)), 8));
        assertEquals(Errno.EINVAL, tooLong.errno());
    }

    @Test
    void spawnsWithEnvironmentDirectorySessionAndCleanSignalsAndKills() throws Exception {
        Path out = tmp.resolve("out");
        int pid = spawner.spawn(new SpawnSpec(List.of("sh", "-c", "echo \"$GREETING $(pwd)\" > out; exec sleep 30"),
                Map.of("GREETING", "hello", "PATH", "/usr/bin:/bin"), Optional.of(tmp), Map.of(), true));
        try {
            Path proc = Path.of("/proc", Integer.toString(pid));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.exists(out) || !Files.readString(proc.resolve("comm")).strip().equals("sleep")) {
                assertTrue(System.nanoTime() < deadline, "the child never got to sleep");
                Thread.sleep(10);
            }
            assertEquals("hello " + tmp.toRealPath() + "\n", Files.readString(out));
            String[] stat = Files.readString(proc.resolve("stat")).substring(Files.readString(proc.resolve("stat")).lastIndexOf(')') + 2)
                    .split(" ");
            assertEquals(Integer.toString(pid), stat[3], "a session of its own");
            List<String> status = Files.readAllLines(proc.resolve("status"));
            assertTrue(status.contains("SigBlk:\t0000000000000000"), "no blocked signals: " + status);
            String ignored = status.stream().filter(l -> l.startsWith("SigIgn:")).findFirst().orElseThrow();
            assertEquals(0, Long.parseLong(ignored.substring("SigIgn:".length()).strip(), 16) & 0x7fffffffL, ignored);
            try (var fds = Files.list(proc.resolve("fd"))) {
                assertEquals(List.of("0", "1", "2"), fds.map(p -> p.getFileName().toString()).sorted().toList(),
                        "only the standard fds (on /dev/null)");
            }
            assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(proc.resolve("fd/1")));
        } finally {
            spawner.kill(pid, Posix.SIGKILL);
        }
        ProcessHandle.of(pid).ifPresent(child -> child.onExit().join());
        PosixException gone = assertThrows(PosixException.class, () -> spawner.kill(Integer.MAX_VALUE - 1, 0));
        assertEquals(Errno.ESRCH, gone.errno());
        assertTrue(gone.getMessage().startsWith("kill failed"), gone.getMessage());
        PosixException missing = assertThrows(PosixException.class, () -> spawner.spawn(new SpawnSpec(
                List.of("/nonexistent/program"), Map.of(), Optional.empty(), Map.of(), false)));
        assertEquals(Errno.ENOENT, missing.errno());
        assertTrue(missing.getMessage().startsWith("posix_spawnp failed"), missing.getMessage());
    }
}
