package io.jrunc.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calls a console needs: poll, fd passing over Unix sockets, ptys and their window size. */
class JnrPosixTerminalCallsTest {
    private final JnrPosix posix = JnrPosix.instance();
    private final List<Integer> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(posix::close);
    }

    private int track(int fd) {
        opened.add(fd);
        return fd;
    }

    @Test
    void pollSeesDataThenHangUpAndTimesOutWhenIdle() throws Exception {
        int[] pipe = posix.pipe();
        track(pipe[0]);
        short[] revents = new short[1];

        assertEquals(0, posix.poll(new int[] {pipe[0]}, new short[] {Posix.POLLIN}, revents, 20));

        posix.write(pipe[1], new byte[] {1}, 0, 1);
        assertEquals(1, posix.poll(new int[] {pipe[0]}, new short[] {Posix.POLLIN}, revents, 1000));
        assertTrue((revents[0] & Posix.POLLIN) != 0, "revents " + revents[0]);

        posix.close(pipe[1]);
        posix.read(pipe[0], new byte[1], 0, 1);
        assertEquals(1, posix.poll(new int[] {pipe[0]}, new short[] {Posix.POLLIN}, revents, 1000));
        assertTrue((revents[0] & Posix.POLLHUP) != 0, "revents " + revents[0]);
    }

    @Test
    void anFdSentOverAUnixSocketArrivesWorkingAndCloseOnExec(@TempDir Path dir) throws Exception {
        int[] connection = connectedPair(dir);
        int[] pipe = posix.pipe();
        track(pipe[0]);
        track(pipe[1]);

        posix.sendWithFds(connection[0], "/dev/pts/7".getBytes(StandardCharsets.UTF_8), new int[] {pipe[1]});
        byte[] buffer = new byte[64];
        ReceivedMessage message = posix.receiveWithFds(connection[1], buffer, 4);

        assertEquals("/dev/pts/7", new String(buffer, 0, message.length(), StandardCharsets.UTF_8));
        assertEquals(1, message.fds().size(), message.toString());
        assertFalse(message.fdsTruncated());
        int received = track(message.fds().getFirst());
        assertTrue(isCloseOnExec(received));
        posix.write(received, "via copy".getBytes(StandardCharsets.US_ASCII), 0, 8);
        byte[] read = new byte[16];
        int n = posix.read(pipe[0], read, 0, read.length);
        assertEquals("via copy", new String(read, 0, n, StandardCharsets.US_ASCII));
    }

    @Test
    void severalFdsAndNoFdsAreReportedAsSent(@TempDir Path dir) throws Exception {
        int[] connection = connectedPair(dir);
        int[] pipe = posix.pipe();
        track(pipe[0]);
        track(pipe[1]);

        posix.sendWithFds(connection[0], new byte[] {'x'}, new int[] {pipe[0], pipe[1]});
        ReceivedMessage two = posix.receiveWithFds(connection[1], new byte[8], 4);
        two.fds().forEach(this::track);
        assertEquals(2, two.fds().size(), two.toString());

        posix.sendWithFds(connection[0], new byte[] {'y'}, new int[0]);
        ReceivedMessage none = posix.receiveWithFds(connection[1], new byte[8], 4);
        assertEquals(1, none.length());
        assertEquals(List.of(), none.fds());
    }

    @Test
    void moreFdsThanRoomIsFlaggedTruncated(@TempDir Path dir) throws Exception {
        int[] connection = connectedPair(dir);
        int[] fds = new int[8];
        for (int i = 0; i < fds.length; i += 2) {
            int[] pipe = posix.pipe();
            fds[i] = track(pipe[0]);
            fds[i + 1] = track(pipe[1]);
        }

        posix.sendWithFds(connection[0], new byte[] {'z'}, fds);
        ReceivedMessage message = posix.receiveWithFds(connection[1], new byte[8], 1);
        message.fds().forEach(this::track);

        assertTrue(message.fdsTruncated(), message.toString());
        assertTrue(message.fds().size() < fds.length, message.toString());
    }

    @Test
    void fdsWithoutDataAreRefused(@TempDir Path dir) throws Exception {
        int[] connection = connectedPair(dir);
        PosixException e = assertThrows(PosixException.class,
                () -> posix.sendWithFds(connection[0], new byte[0], new int[] {connection[0]}));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void aPtyMastersWindowSizeIsWhatItsSlaveSees() throws Exception {
        int master = track(posix.openPtyMaster());
        Path slavePath = posix.ptySlave(master);
        assertTrue(slavePath.toString().startsWith("/dev/pts/"), slavePath.toString());
        int slave = track(posix.open(slavePath, Posix.O_RDWR | Posix.O_NOCTTY, 0));

        posix.setWindowSize(master, 37, 123);

        assertArrayEquals(new int[] {37, 123}, posix.windowSize(slave));
        assertArrayEquals(new int[] {37, 123}, posix.windowSize(master));
        assertTrue(isCloseOnExec(master));
    }

    @Test
    void windowSizeOfSomethingThatIsNoTerminalFails() throws Exception {
        int[] pipe = posix.pipe();
        track(pipe[0]);
        track(pipe[1]);
        PosixException e = assertThrows(PosixException.class, () -> posix.setWindowSize(pipe[0], 10, 10));
        assertEquals(25, e.errno()); // ENOTTY
        assertThrows(PosixException.class, () -> posix.setWindowSize(pipe[0], 70000, 10));
    }

    /** {client, accepted server side} of a fresh Unix socket in {@code dir}. */
    private int[] connectedPair(Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        int listener = track(posix.listenUnix(socket, 1));
        int client = track(posix.connectUnix(socket));
        int server = track(posix.accept(listener));
        assertTrue(isCloseOnExec(server));
        return new int[] {client, server};
    }

    private static boolean isCloseOnExec(int fd) throws Exception {
        String info = Files.readString(Path.of("/proc/self/fdinfo/" + fd));
        long flags = Long.parseLong(info.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow()
                .substring("flags:".length()).strip(), 8);
        return (flags & Posix.O_CLOEXEC) != 0;
    }
}
