package io.jrunc.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JnrPosixTest {
    private final JnrPosix posix = JnrPosix.instance();

    @Test
    void oneInstanceKnowsItsProcess() {
        assertSame(posix, Posix.get());
        assertEquals(ProcessHandle.current().pid(), posix.pid());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), posix.parentPid());
    }

    @Test
    void pipeCarriesBytesAndIsCloseOnExec() throws Exception {
        int[] pipe = posix.pipe();
        try {
            byte[] data = "0123456789".getBytes(StandardCharsets.US_ASCII);
            posix.write(pipe[1], data, 2, 5);
            byte[] buffer = new byte[16];
            assertEquals(5, posix.read(pipe[0], buffer, 3, 10));
            assertEquals("23456", new String(buffer, 3, 5, StandardCharsets.US_ASCII));
            String flags = Files.readString(Path.of("/proc/self/fdinfo/" + pipe[0]));
            long octal = Long.parseLong(flags.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow()
                    .substring("flags:".length()).strip(), 8);
            assertTrue((octal & Posix.O_CLOEXEC) != 0, flags);
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }

    @Test
    void nonBlockingPipeTakesWhatFitsThenFailsWithEagain() throws Exception {
        int[] pipe = posix.pipe();
        int devNull = posix.open(Path.of("/dev/null"), Posix.O_WRONLY, 0);
        try {
            posix.setNonBlocking(pipe[1]);
            byte[] chunk = new byte[1 << 20];
            int taken = posix.writeSome(pipe[1], chunk, 0, chunk.length);
            assertTrue(taken > 0 && taken < chunk.length, "a short write into the pipe's room: " + taken);
            PosixException full = assertThrows(PosixException.class, () -> posix.writeSome(pipe[1], chunk, 1, 10));
            assertEquals(Errno.EAGAIN, full.errno());
            posix.setNonBlocking(pipe[0]);
            assertEquals(taken, posix.splice(pipe[0], devNull, taken, Posix.SPLICE_F_NONBLOCK));
            PosixException empty = assertThrows(PosixException.class,
                    () -> posix.read(pipe[0], new byte[8], 0, 8));
            assertEquals(Errno.EAGAIN, empty.errno());
        } finally {
            posix.close(devNull);
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }

    @Test
    void epollReportsWritableOnlyOnceModifiedToWatchIt() throws Exception {
        int epoll = posix.epollCreate();
        int[] pipe = posix.pipe();
        try {
            long[] tokens = new long[4];
            posix.epollAdd(epoll, pipe[1], Posix.EPOLLIN, 7);
            assertEquals(0, posix.epollWait(epoll, tokens, 0), "an empty pipe's write end is not readable");
            posix.epollModify(epoll, pipe[1], Posix.EPOLLOUT, 9);
            assertEquals(1, posix.epollWait(epoll, tokens, 0));
            assertEquals(9, tokens[0]);
            posix.epollRemove(epoll, pipe[1]);
            assertEquals(0, posix.epollWait(epoll, tokens, 0));
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
            posix.close(epoll);
        }
    }

    @Test
    void openFailsWithTheErrno(@TempDir Path dir) {
        PosixException e = assertThrows(PosixException.class, () -> posix.open(dir.resolve("missing"), Posix.O_RDONLY, 0));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }

    @Test
    void openCreatesAndWrites(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("f");
        int fd = posix.open(file, Posix.O_WRONLY | Posix.O_CREAT, 0640);
        try {
            byte[] data = "hello".getBytes(StandardCharsets.US_ASCII);
            posix.write(fd, data, 0, data.length);
        } finally {
            posix.close(fd);
        }
        assertEquals("hello", Files.readString(file));
    }

    @Test
    void killOfAMissingProcessIsEsrch() {
        PosixException e = assertThrows(PosixException.class, () -> posix.kill(Integer.MAX_VALUE - 1, 0));
        assertEquals(Errno.ESRCH, e.errno());
    }

    @Test
    void listenUnixAcceptsConnectionsAndRefusesAnExistingPath(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        int fd = posix.listenUnix(socket, 4);
        try {
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                assertTrue(client.connect(UnixDomainSocketAddress.of(socket)));
            }
            PosixException e = assertThrows(PosixException.class, () -> posix.listenUnix(socket, 4));
            assertEquals(Errno.EADDRINUSE, e.errno());
        } finally {
            posix.close(fd);
        }
    }

    @Test
    void listenUnixRejectsPathsTheKernelCannotHold(@TempDir Path dir) {
        Path tooLong = dir.resolve("x".repeat(120));
        PosixException e = assertThrows(PosixException.class, () -> posix.listenUnix(tooLong, 1));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void mountAndUnmountATmpfs(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("mnt");
        Files.createDirectory(target);
        posix.mount("jrunc-test", target, "tmpfs", 0, "size=1m");
        try {
            assertTrue(Files.readString(Path.of("/proc/self/mounts")).contains(" " + target + " tmpfs "));
        } finally {
            posix.unmount(target, 0);
        }
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(" " + target + " "));
        PosixException e = assertThrows(PosixException.class, () -> posix.unmount(target, Posix.MNT_DETACH));
        assertEquals(Errno.EINVAL, e.errno());
    }
}
