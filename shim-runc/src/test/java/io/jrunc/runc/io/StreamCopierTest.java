package io.jrunc.runc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.runc.testsupport.Natives;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output copier on real pipes, FIFOs and files: bytes, back-pressure, end of file, fallback. */
class StreamCopierTest {
    private static final int PAYLOAD = 24 * 1024 * 1024;
    private final Posix posix = Natives.posix();
    private final List<Integer> opened = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void closeAll() {
        opened.forEach(posix::close);
    }

    @Test
    void splicesPipeIntoFifoByteExactWithBackPressure() throws Exception {
        Path fifo = dir.resolve("stdout");
        FakeRunc.mkfifo(fifo);
        int target = StdioFiles.openOutput(posix, fifo, "stdout");
        int reader = track(posix.open(fifo, Posix.O_RDONLY | Posix.O_CLOEXEC, 0));
        int[] pipe = posix.pipe();
        track(pipe[1]);
        byte[] payload = random(PAYLOAD);
        CountDownLatch done = new CountDownLatch(1);
        StreamCopier copier = new StreamCopier(posix, "t-stdout", pipe[0], new SharedFd(posix, target, 1), true,
                done::countDown);
        copier.start();
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> writer = writeAndClose(pipe, payload, written);

        // Nobody reads yet: the writer must stall once the pipe and the FIFO are full, nothing piles up.
        Thread.sleep(500);
        long stalledAt = written.get();
        assertTrue(stalledAt < 1024 * 1024, "writer not held back: " + stalledAt + " bytes written");
        assertFalse(writer.isDone());
        assertFalse(done.await(0, TimeUnit.MILLISECONDS));

        byte[] received = readToEof(reader, true);
        writer.get(30, TimeUnit.SECONDS);
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertArrayEquals(payload, received);
        assertTrue(copier.spliced(), "pipe to FIFO should have been spliced");
    }

    @Test
    void emptyStreamEndsAndClosesTheTarget() throws Exception {
        Path fifo = dir.resolve("stderr");
        FakeRunc.mkfifo(fifo);
        int target = StdioFiles.openOutput(posix, fifo, "stderr");
        int reader = track(posix.open(fifo, Posix.O_RDONLY | Posix.O_CLOEXEC, 0));
        int[] pipe = posix.pipe();
        posix.close(pipe[1]);
        CountDownLatch done = new CountDownLatch(1);
        new StreamCopier(posix, "t-stderr", pipe[0], new SharedFd(posix, target, 1), true, done::countDown).start();

        assertTrue(done.await(10, TimeUnit.SECONDS));
        // The copier held the FIFO's only writer; the reader sees end of file once it let go.
        assertEquals(0, posix.read(reader, new byte[16], 0, 16));
    }

    @Test
    void appendFileFallsBackToReadWriteWithoutLoss() throws Exception {
        Path file = dir.resolve("log");
        Files.createFile(file);
        int target = StdioFiles.openOutput(posix, file, "stdout");
        int[] pipe = posix.pipe();
        track(pipe[1]);
        byte[] payload = random(3 * 1024 * 1024 + 17);
        CountDownLatch done = new CountDownLatch(1);
        StreamCopier copier = new StreamCopier(posix, "t-file", pipe[0], new SharedFd(posix, target, 1), true,
                done::countDown);
        copier.start();
        writeAndClose(pipe, payload, new AtomicLong()).get(30, TimeUnit.SECONDS);

        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertArrayEquals(payload, Files.readAllBytes(file));
        assertFalse(copier.spliced(), "splice into an O_APPEND file is refused by the kernel");
    }

    @Test
    void stdoutAndStderrIntoOneFileCloseItAfterBoth() throws Exception {
        Path file = dir.resolve("both");
        Files.createFile(file);
        SharedFd shared = new SharedFd(posix, StdioFiles.openOutput(posix, file, "stdout"), 2);
        int[] out = posix.pipe();
        int[] err = posix.pipe();
        track(out[1]);
        track(err[1]);
        CountDownLatch done = new CountDownLatch(2);
        new StreamCopier(posix, "t-out", out[0], shared, true, done::countDown).start();
        new StreamCopier(posix, "t-err", err[0], shared, true, done::countDown).start();
        byte[] a = random(512 * 1024);
        byte[] b = random(256 * 1024);
        CompletableFuture<Void> first = writeAndClose(out, a, new AtomicLong());
        CompletableFuture<Void> second = writeAndClose(err, b, new AtomicLong());
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);

        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(a.length + b.length, Files.size(file));
    }

    @Test
    void brokenTargetIsDrainedSoTheWriterNeverBlocks() throws Exception {
        int[] targetPipe = posix.pipe();
        posix.close(targetPipe[0]);
        int[] pipe = posix.pipe();
        track(pipe[1]);
        CountDownLatch done = new CountDownLatch(1);
        new StreamCopier(posix, "t-broken", pipe[0], new SharedFd(posix, targetPipe[1], 1), true, done::countDown)
                .start();
        // Far more than the pipe holds: only a draining copier lets this finish.
        writeAndClose(pipe, random(4 * 1024 * 1024), new AtomicLong()).get(30, TimeUnit.SECONDS);

        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    private CompletableFuture<Void> writeAndClose(int[] pipe, byte[] payload, AtomicLong written) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int off = 0; off < payload.length; off += 8192) {
                    int n = Math.min(8192, payload.length - off);
                    posix.write(pipe[1], payload, off, n);
                    written.addAndGet(n);
                }
                closeTracked(pipe[1]);
                result.complete(null);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** Reads in small pieces, now and then pausing, so the copier keeps meeting a full FIFO. */
    private byte[] readToEof(int fd, boolean slow) throws PosixException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int i = 0; ; i++) {
            int n = posix.read(fd, buffer, 0, buffer.length);
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(buffer, 0, n);
            if (slow && i % 512 == 0) {
                Thread.sleep(5);
            }
        }
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private int track(int fd) {
        synchronized (opened) {
            opened.add(fd);
        }
        return fd;
    }

    private void closeTracked(int fd) {
        synchronized (opened) {
            opened.remove(Integer.valueOf(fd));
        }
        posix.close(fd);
    }
}
