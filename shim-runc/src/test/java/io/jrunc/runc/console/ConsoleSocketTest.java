package io.jrunc.runc.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.posix.Posix;
import io.jrunc.runc.testsupport.Natives;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console socket against a peer that sends what runc sends (or what it must not). */
class ConsoleSocketTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Posix posix = Natives.posix();
    private final List<Integer> opened = new ArrayList<>();
    @TempDir
    Path parent;

    @AfterEach
    void closeAll() {
        opened.forEach(posix::close);
    }

    private int track(int fd) {
        opened.add(fd);
        return fd;
    }

    @Test
    void liesInAPrivateDirAndIsGoneWithIt() throws Exception {
        ConsoleSocket socket = ConsoleSocket.createIn(posix, parent);
        Path dir = socket.path().getParent();
        assertEquals(parent, dir.getParent());
        assertTrue(dir.getFileName().toString().startsWith("pty"), dir.toString());
        assertEquals("pty.sock", socket.path().getFileName().toString());
        assertTrue(socket.path().isAbsolute());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir)));

        socket.close();
        socket.close();

        assertFalse(Files.exists(dir));
    }

    @Test
    void receivesThePtyMasterAPeerSends() throws Exception {
        int master = track(posix.openPtyMaster());
        Path slavePath = posix.ptySlave(master);
        int slave = track(posix.open(slavePath, Posix.O_RDWR | Posix.O_NOCTTY, 0));
        ConsoleSocket socket = ConsoleSocket.createIn(posix, parent);
        Path dir = socket.path().getParent();

        int peer = track(posix.connectUnix(socket.path()));
        posix.sendWithFds(peer, slavePath.toString().getBytes(StandardCharsets.UTF_8), new int[] {master});
        int received = track(socket.receiveMaster(TIMEOUT));

        // The received fd is the same pty: its size is what the slave sees.
        posix.setWindowSize(received, 24, 80);
        assertArrayEquals(new int[] {24, 80}, posix.windowSize(slave));
        assertFalse(Files.exists(dir), "the socket and its dir are removed after the one connection");
    }

    @Test
    void refusesTwoFdsAndClosesBoth() throws Exception {
        ConsoleSocket socket = ConsoleSocket.createIn(posix, parent);
        int[] pipe = posix.pipe();
        track(pipe[0]);
        track(pipe[1]);
        int peer = track(posix.connectUnix(socket.path()));
        posix.sendWithFds(peer, "/dev/pts/9".getBytes(StandardCharsets.UTF_8), new int[] {pipe[0], pipe[1]});
        Path pipeInode = Files.readSymbolicLink(Path.of("/proc/self/fd/" + pipe[0]));

        ConsoleException e = assertThrows(ConsoleException.class, () -> socket.receiveMaster(TIMEOUT));

        assertTrue(e.getMessage().contains("expected exactly one fd, got 2"), e.getMessage());
        assertEquals(2, fdsOpenOn(pipeInode), "only this test's own two ends of the pipe are open: the received copies were closed");
        assertFalse(Files.exists(socket.path()));
    }

    @Test
    void refusesAMessageWithoutFd() throws Exception {
        ConsoleSocket socket = ConsoleSocket.createIn(posix, parent);
        int peer = track(posix.connectUnix(socket.path()));
        posix.sendWithFds(peer, "/dev/pts/9".getBytes(StandardCharsets.UTF_8), new int[0]);

        ConsoleException e = assertThrows(ConsoleException.class, () -> socket.receiveMaster(TIMEOUT));

        assertTrue(e.getMessage().contains("expected exactly one fd, got 0"), e.getMessage());
    }

    @Test
    void refusesAPeerThatHangsUpWithoutAMessage() throws Exception {
        ConsoleSocket socket = ConsoleSocket.createIn(posix, parent);
        posix.close(posix.connectUnix(socket.path()));

        ConsoleException e = assertThrows(ConsoleException.class, () -> socket.receiveMaster(TIMEOUT));

        assertTrue(e.getMessage().contains("closed without a message"), e.getMessage());
    }

    @Test
    void givesUpWhenNobodyConnectsInTime() throws Exception {
        ConsoleSocket socket = ConsoleSocket.createIn(posix, parent);
        long start = System.nanoTime();

        ConsoleException e = assertThrows(ConsoleException.class, () -> socket.receiveMaster(Duration.ofMillis(300)));

        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= 250 && tookMillis < 5000, "took " + tookMillis + " ms");
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertFalse(Files.exists(socket.path().getParent()));
    }

    @Test
    void givesUpWhenAPeerConnectsButSendsNothing() throws Exception {
        ConsoleSocket socket = ConsoleSocket.createIn(posix, parent);
        track(posix.connectUnix(socket.path()));

        ConsoleException e = assertThrows(ConsoleException.class, () -> socket.receiveMaster(Duration.ofMillis(300)));

        assertTrue(e.getMessage().contains("timed out") && e.getMessage().contains("send the pty master"),
                e.getMessage());
    }

    @Test
    void aClosedSocketReceivesNothing() throws Exception {
        ConsoleSocket socket = ConsoleSocket.createIn(posix, parent);
        socket.close();

        assertThrows(ConsoleException.class, () -> socket.receiveMaster(TIMEOUT));
    }

    /** How many of this process's fds refer to {@code target} (e.g. "pipe:[1234]"). */
    private static long fdsOpenOn(Path target) throws Exception {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (java.io.IOException e) {
                    return false; // closed meanwhile (e.g. the listing's own fd)
                }
            }).count();
        }
    }
}
