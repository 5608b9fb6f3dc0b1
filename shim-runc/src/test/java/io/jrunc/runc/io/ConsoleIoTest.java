package io.jrunc.runc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.runc.console.ConsoleSocket;
import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.runc.testsupport.Natives;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A terminal's stdio from the factory to the end of output. This test plays runc (makes a pty, sends its
 * master to the console socket) and the container's process (holds the slave).
 */
class ConsoleIoTest {
    private final Posix posix = Natives.posix();
    private final List<Integer> opened = new ArrayList<>();
    @TempDir
    Path dir;
    private ProcessIoFactory factory;
    private Path stdin;
    private Path stdout;

    @BeforeEach
    void fifos() throws Exception {
        factory = new ProcessIoFactory(posix, Natives.stdioLoop(), () -> ConsoleSocket.createIn(posix, dir));
        stdin = dir.resolve("t1-stdin");
        stdout = dir.resolve("t1-stdout");
        FakeRunc.mkfifo(stdin);
        FakeRunc.mkfifo(stdout);
    }

    @AfterEach
    void closeAll() {
        opened.forEach(posix::close);
    }

    private int track(int fd) {
        opened.add(fd);
        return fd;
    }

    @Test
    @SuppressWarnings("try") // closes explicitly to check what close does, then again at the end of the block
    void aTerminalGivesRuncAConsoleSocketAndNoStdio() throws Exception {
        try (ProcessIo io = factory.create("t1", new StdioSpec(stdin.toString(), stdout.toString(), "", true), 0, 0)) {
            assertInstanceOf(ConsoleIo.class, io);
            assertEquals(Map.of(), io.childFds());
            Path socket = io.consoleSocket().orElseThrow();
            assertTrue(Files.exists(socket));
            io.resize(80, 24); // before the master arrived: nothing to do

            io.close();

            assertFalse(Files.exists(socket.getParent()), "close removes the unused socket's dir");
            assertTrue(io.awaitOutputDrained(Duration.ZERO), "no output will ever come");
        }
    }

    @Test
    void pipesAndFilesHaveNoConsoleSocket() throws Exception {
        try (ProcessIo io = factory.create("p1", new StdioSpec("", stdout.toString(), "", false), 0, 0)) {
            assertTrue(io.consoleSocket().isEmpty());
            io.resize(80, 24); // no terminal: a no-op
        }
    }

    @Test
    void outputStdinResizeAndEndOfOutputThroughTheReceivedTerminal() throws Exception {
        ProcessIo io = factory.create("t1", new StdioSpec(stdin.toString(), stdout.toString(), "", true), 0, 0);
        try {
            int slave = playRunc(io.consoleSocket().orElseThrow());
            CompletableFuture<byte[]> out = readAll(stdout);
            io.start();

            io.resize(100, 30);
            assertArrayEquals(new int[] {30, 100}, posix.windowSize(slave));

            try (OutputStream client = Files.newOutputStream(stdin)) {
                client.write("from client\n".getBytes(StandardCharsets.UTF_8));
            }
            assertEquals("from client\n", readSome(slave));
            byte[] said = "from process\n".getBytes(StandardCharsets.UTF_8);
            posix.write(slave, said, 0, said.length);
            posix.close(opened.remove(opened.indexOf(slave)));

            assertTrue(io.awaitOutputDrained(Duration.ofSeconds(10)));
            // The echo of what the client typed, then what the process said; \n becomes \r\n on a terminal.
            assertEquals("from client\r\nfrom process\r\n", new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } finally {
            io.close();
        }
    }

    @Test
    void closeIoThenTheClientsCloseHangsTheTerminalUp() throws Exception {
        ProcessIo io = factory.create("t1", new StdioSpec(stdin.toString(), stdout.toString(), "", true), 0, 0);
        try {
            int slave = playRunc(io.consoleSocket().orElseThrow());
            CompletableFuture<byte[]> out = readAll(stdout);
            io.start();
            OutputStream client = Files.newOutputStream(stdin);
            client.write("x\n".getBytes(StandardCharsets.UTF_8));
            client.flush();
            assertEquals("x\n", readSome(slave));

            client.close();
            Thread.sleep(200);
            assertFalse(out.isDone(), "the shim still holds a writer: no end of stdin before CloseIO");

            io.closeStdin();

            assertTrue(io.awaitOutputDrained(Duration.ofSeconds(10)), "stdin's end stops the output");
            out.get(10, TimeUnit.SECONDS);
            int read = readOrErrno(slave);
            assertTrue(read == 0 || read == -5, "the process sees a hang-up, read gave " + read);
        } finally {
            io.close();
        }
    }

    @Test
    void fileStdoutOfATerminalIsAppendedTo() throws Exception {
        Path log = dir.resolve("logs/t1.log");
        ProcessIo io = factory.create("t1", new StdioSpec("", "file://" + log, "", true), 0, 0);
        try {
            Files.writeString(log, "earlier\n");
            int slave = playRunc(io.consoleSocket().orElseThrow());
            io.start();
            byte[] said = "line\n".getBytes(StandardCharsets.UTF_8);
            posix.write(slave, said, 0, said.length);
            posix.close(opened.remove(opened.indexOf(slave)));

            assertTrue(io.awaitOutputDrained(Duration.ofSeconds(10)));
            assertEquals("earlier\nline\r\n", Files.readString(log));
        } finally {
            io.close();
        }
    }

    @Test
    void aRuncThatNeverSendsTheMasterFailsStartInTime() throws Exception {
        ConsoleIo io = new ConsoleIo(Natives.stdioLoop(), posix, "t1", ConsoleSocket.createIn(posix, dir), null, () -> -1,
                Duration.ofMillis(300));
        try {
            IoException e = assertThrows(IoException.class, io::start);
            assertTrue(e.getMessage().contains("failed to retrieve console master") && e.getMessage().contains("timed out"),
                    e.getMessage());
            assertFalse(Files.exists(io.consoleSocket().orElseThrow().getParent()));
        } finally {
            io.close();
        }
    }

    @Test
    void aMessageWithTwoFdsFailsStart() throws Exception {
        ProcessIo io = factory.create("t1", new StdioSpec("", stdout.toString(), "", true), 0, 0);
        try {
            int[] pipe = posix.pipe();
            track(pipe[0]);
            track(pipe[1]);
            int peer = track(posix.connectUnix(io.consoleSocket().orElseThrow()));
            posix.sendWithFds(peer, "/dev/pts/1".getBytes(StandardCharsets.UTF_8), new int[] {pipe[0], pipe[1]});

            IoException e = assertThrows(IoException.class, io::start);

            assertTrue(e.getMessage().contains("expected exactly one fd, got 2"), e.getMessage());
        } finally {
            io.close();
        }
    }

    @Test
    void terminalOutputToALoggingBinaryIsNotServedYetAndUnknownSchemesAreRefused() {
        assertThrows(ProcessIoFactory.UnsupportedStdioException.class,
                () -> factory.create("t1", new StdioSpec("", "binary:///bin/logger", "", true), 0, 0));
        IoException e = assertThrows(IoException.class,
                () -> factory.create("t1", new StdioSpec("", "tcp://host:1", "", true), 0, 0));
        assertEquals("unknown STDIO scheme tcp", e.getMessage());
    }

    @Test
    void aTerminalCanWriteToAnOutputSomeoneElseOpens() throws Exception {
        int[] pipe = posix.pipe();
        track(pipe[0]);
        boolean[] closed = {false};
        ProcessIo io = factory.terminal("t1", new StdioSpec("", "binary:///bin/logger", "", true), new TerminalOutput() {
            @Override
            public int open() {
                return pipe[1];
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        });
        try {
            int slave = playRunc(io.consoleSocket().orElseThrow());
            io.start();
            byte[] said = "to logger\n".getBytes(StandardCharsets.UTF_8);
            posix.write(slave, said, 0, said.length);
            posix.close(opened.remove(opened.indexOf(slave)));
            assertTrue(io.awaitOutputDrained(Duration.ofSeconds(10)));
            byte[] buffer = new byte[64];
            int n = posix.read(pipe[0], buffer, 0, buffer.length);
            assertEquals("to logger\r\n", new String(buffer, 0, n, StandardCharsets.UTF_8));
        } finally {
            io.close();
        }
        assertTrue(closed[0]);
    }

    /** What runc does with --console-socket: a new pty, its master sent over the socket; returns the slave. */
    private int playRunc(Path socket) throws PosixException {
        int master = posix.openPtyMaster();
        try {
            Path slavePath = posix.ptySlave(master);
            int slave = track(posix.open(slavePath, Posix.O_RDWR | Posix.O_NOCTTY, 0));
            int peer = posix.connectUnix(socket);
            try {
                posix.sendWithFds(peer, slavePath.toString().getBytes(StandardCharsets.UTF_8), new int[] {master});
            } finally {
                posix.close(peer);
            }
            return slave;
        } finally {
            posix.close(master); // runc closes its copy too: the shim's is the only one left
        }
    }

    private int readOrErrno(int fd) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return posix.read(fd, new byte[64], 0, 64);
            } catch (PosixException e) {
                return -e.errno();
            }
        }, r -> Thread.ofPlatform().daemon().start(r)).get(10, TimeUnit.SECONDS);
    }

    private String readSome(int fd) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                byte[] buffer = new byte[256];
                int n = posix.read(fd, buffer, 0, buffer.length);
                return new String(buffer, 0, n, StandardCharsets.UTF_8);
            } catch (PosixException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofPlatform().daemon().start(r)).get(10, TimeUnit.SECONDS);
    }

    private static CompletableFuture<byte[]> readAll(Path fifo) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofPlatform().daemon().start(r));
    }
}
