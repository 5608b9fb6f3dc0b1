package io.jrunc.runc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.runc.testsupport.Natives;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A console on a real pty: this test holds the slave side, as the container's process would. */
class PtyConsoleTest {
    private final Posix posix = Natives.posix();
    private final List<Integer> opened = new ArrayList<>();
    private int slave;
    private PtyConsole console;

    @BeforeEach
    void openPty() throws Exception {
        int master = posix.openPtyMaster();
        slave = track(posix.open(posix.ptySlave(master), Posix.O_RDWR | Posix.O_NOCTTY, 0));
        console = new PtyConsole(Natives.stdioLoop(), posix, "t1", master);
    }

    @AfterEach
    void closeAll() {
        console.shutdown();
        opened.forEach(posix::close);
    }

    private int track(int fd) {
        opened.add(fd);
        return fd;
    }

    @Test
    void resizeSetsRowsFromHeightAndColsFromWidth() throws Exception {
        console.resize(132, 43);

        assertArrayEquals(new int[] {43, 132}, posix.windowSize(slave));
    }

    @Test
    void outputOfTheProcessReachesTheTargetUntilTheSlaveCloses() throws Exception {
        int[] out = posix.pipe();
        track(out[0]);
        CountDownLatch done = new CountDownLatch(1);
        console.startOutput(out[1], done::countDown);
        CompletableFuture<String> copied = readAll(out[0]);

        write(slave, "hello\nworld\n");
        posix.close(opened.remove(opened.indexOf(slave)));

        assertTrue(done.await(10, TimeUnit.SECONDS), "the copy ends when the slave side is closed (EIO)");
        // The pty's output processing turns \n into \r\n, as a terminal does.
        assertEquals("hello\r\nworld\r\n", copied.get(10, TimeUnit.SECONDS));
    }

    @Test
    void stdinReachesTheProcessAndItsEndHangsTheTerminalUp() throws Exception {
        int[] in = posix.pipe();
        track(in[1]);
        CountDownLatch outputDone = new CountDownLatch(1);
        console.startOutput(-1, outputDone::countDown);
        console.startInput(in[0]);

        write(in[1], "typed line\n");
        assertEquals("typed line\n", readSome(slave));

        posix.close(opened.remove(opened.indexOf(in[1])));

        assertTrue(outputDone.await(10, TimeUnit.SECONDS), "stdin's end stops the output copy");
        assertHungUp(slave);
        console.resize(10, 10); // no master any more: nothing happens, as in the Go shim
    }

    @Test
    void shutdownStopsTheOutputCopyWhileTheSlaveIsStillOpen() throws Exception {
        int[] out = posix.pipe();
        track(out[0]);
        CountDownLatch done = new CountDownLatch(1);
        console.startOutput(out[1], done::countDown);
        write(slave, "before\n");
        CompletableFuture<String> copied = readAll(out[0]);

        console.shutdown();

        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertTrue(copied.get(10, TimeUnit.SECONDS).length() <= "before\r\n".length());
        assertHungUp(slave);
    }

    @Test
    void aFullTargetDoesNotBlockTheProcess() throws Exception {
        int[] out = posix.pipe();
        track(out[0]);
        posix.close(out[0]); // the reader is gone: every write fails with EPIPE
        opened.remove(Integer.valueOf(out[0]));
        CountDownLatch done = new CountDownLatch(1);
        console.startOutput(out[1], done::countDown);

        byte[] chunk = "x".repeat(4096).getBytes(StandardCharsets.US_ASCII);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 256; i++) { // 1 MiB, far more than a pty buffers
                    posix.write(slave, chunk, 0, chunk.length);
                }
            } catch (PosixException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofPlatform().start(r));

        writer.get(20, TimeUnit.SECONDS);
    }

    @Test
    void copiesStartedAfterShutdownCloseWhatTheyWereGiven() throws Exception {
        int[] forOutput = posix.pipe();
        int[] forInput = posix.pipe();
        track(forOutput[0]);
        track(forInput[1]);
        console.shutdown();
        CountDownLatch done = new CountDownLatch(1);

        console.startOutput(forOutput[1], done::countDown);
        console.startInput(forInput[0]);

        assertEquals(0, done.getCount());
        assertEquals(0, posix.read(forOutput[0], new byte[8], 0, 8), "the output target was closed");
        PosixException e = org.junit.jupiter.api.Assertions.assertThrows(PosixException.class,
                () -> write(forInput[1], "x"));
        assertEquals(32, e.errno(), "the input source was closed (EPIPE)");
    }

    /** After a hang-up a read of the slave ends at once: end of file (0) or EIO. */
    private void assertHungUp(int fd) throws Exception {
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            try {
                return posix.read(fd, new byte[64], 0, 64);
            } catch (PosixException e) {
                return -e.errno();
            }
        }, r -> Thread.ofPlatform().daemon().start(r));
        int result = read.get(10, TimeUnit.SECONDS);
        assertTrue(result == 0 || result == -5, "read after hang-up gave " + result);
    }

    private void write(int fd, String text) throws PosixException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        posix.write(fd, bytes, 0, bytes.length);
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

    private CompletableFuture<String> readAll(int fd) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                int n;
                while ((n = posix.read(fd, buffer, 0, buffer.length)) > 0) {
                    all.write(buffer, 0, n);
                }
            } catch (PosixException e) {
                throw new IllegalStateException(e);
            }
            return all.toString(StandardCharsets.UTF_8);
        }, r -> Thread.ofPlatform().daemon().start(r));
    }
}
