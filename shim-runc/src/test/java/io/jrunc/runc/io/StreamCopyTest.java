package io.jrunc.runc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.runc.testsupport.Natives;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Stream copies on one stdio loop, on real pipes, FIFOs and files: bytes, back-pressure, end of file, fairness. */
@Timeout(60)
class StreamCopyTest {
    private static final int PAYLOAD = 24 * 1024 * 1024;
    private final Posix posix = Natives.posix();
    private final StdioLoop loop = Natives.stdioLoop();
    private final List<Integer> opened = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void closeAll() {
        synchronized (opened) {
            opened.forEach(posix::close);
        }
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
        StreamCopy copy = StreamCopy.splicing(loop, posix, "t-stdout", SharedFd.owned(posix, pipe[0]),
                SharedFd.owned(posix, target), true, done::countDown);
        copy.start();
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
        assertTrue(copy.spliced(), "pipe to FIFO should have been spliced");
    }

    @Test
    void readWriteCopyIsByteExactWithBackPressure() throws Exception {
        int[] source = posix.pipe();
        int[] target = posix.pipe();
        track(source[1]);
        track(target[0]);
        byte[] payload = random(PAYLOAD);
        CountDownLatch done = new CountDownLatch(1);
        StreamCopy.readWrite(loop, posix, "t-rw", SharedFd.owned(posix, source[0]), SharedFd.owned(posix, target[1]),
                true, done::countDown).start();
        AtomicLong written = new AtomicLong();
        CompletableFuture<Void> writer = writeAndClose(source, payload, written);

        Thread.sleep(500);
        assertTrue(written.get() < 1024 * 1024, "writer not held back: " + written.get() + " bytes written");
        assertFalse(writer.isDone());

        byte[] received = readToEof(target[0], true);
        writer.get(30, TimeUnit.SECONDS);
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertArrayEquals(payload, received);
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
        StreamCopy.splicing(loop, posix, "t-stderr", SharedFd.owned(posix, pipe[0]), SharedFd.owned(posix, target),
                true, done::countDown).start();

        assertTrue(done.await(10, TimeUnit.SECONDS));
        // The copy held the FIFO's only writer; the reader sees end of file once it let go.
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
        StreamCopy copy = StreamCopy.splicing(loop, posix, "t-file", SharedFd.owned(posix, pipe[0]),
                SharedFd.owned(posix, target), true, done::countDown);
        copy.start();
        writeAndClose(pipe, payload, new AtomicLong()).get(30, TimeUnit.SECONDS);

        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertArrayEquals(payload, Files.readAllBytes(file));
        assertFalse(copy.spliced(), "splice into an O_APPEND file is refused by the kernel");
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
        StreamCopy.splicing(loop, posix, "t-out", SharedFd.owned(posix, out[0]), shared, true, done::countDown).start();
        StreamCopy.splicing(loop, posix, "t-err", SharedFd.owned(posix, err[0]), shared, true, done::countDown).start();
        byte[] a = random(512 * 1024);
        byte[] b = random(256 * 1024);
        CompletableFuture<Void> first = writeAndClose(out, a, new AtomicLong());
        CompletableFuture<Void> second = writeAndClose(err, b, new AtomicLong());
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);

        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(a.length + b.length, Files.size(file));
        assertFalse(shared.acquire(), "the file was closed after both copies let go");
    }

    @Test
    void brokenTargetIsDrainedSoTheWriterNeverBlocks() throws Exception {
        int[] targetPipe = posix.pipe();
        posix.close(targetPipe[0]);
        int[] pipe = posix.pipe();
        track(pipe[1]);
        CountDownLatch done = new CountDownLatch(1);
        StreamCopy.splicing(loop, posix, "t-broken", SharedFd.owned(posix, pipe[0]),
                SharedFd.owned(posix, targetPipe[1]), true, done::countDown).start();
        // Far more than the pipe holds: only a draining copy lets this finish.
        writeAndClose(pipe, random(4 * 1024 * 1024), new AtomicLong()).get(30, TimeUnit.SECONDS);

        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    @Test
    void targetWhoseReaderLeavesMidwayIsDrained() throws Exception {
        int[] target = posix.pipe();
        int[] source = posix.pipe();
        track(source[1]);
        CountDownLatch done = new CountDownLatch(1);
        StreamCopy.readWrite(loop, posix, "t-epipe", SharedFd.owned(posix, source[0]), SharedFd.owned(posix, target[1]),
                true, done::countDown).start();
        CompletableFuture<Void> writer = writeAndClose(source, random(8 * 1024 * 1024), new AtomicLong());
        // The copy is waiting for room in the full target when its reader goes away (EPIPE on the next write).
        Thread.sleep(300);
        assertFalse(writer.isDone());
        posix.close(target[0]);

        writer.get(30, TimeUnit.SECONDS);
        assertTrue(done.await(10, TimeUnit.SECONDS));
    }

    @Test
    void withoutDrainingABrokenTargetEndsTheCopyAndClosesTheSource() throws Exception {
        int[] targetPipe = posix.pipe();
        posix.close(targetPipe[0]);
        int[] pipe = posix.pipe();
        track(pipe[1]);
        CountDownLatch done = new CountDownLatch(1);
        StreamCopy.splicing(loop, posix, "t-stdin", SharedFd.owned(posix, pipe[0]), SharedFd.owned(posix, targetPipe[1]),
                false, done::countDown).start();
        posix.write(pipe[1], new byte[] {1, 2, 3}, 0, 3);

        assertTrue(done.await(10, TimeUnit.SECONDS));
        PosixException e = assertThrows(PosixException.class, () -> posix.write(pipe[1], new byte[] {4}, 0, 1));
        assertEquals(Errno.EPIPE, e.errno(), "the source's read end was closed");
    }

    @Test
    void stopEndsACopyThatWaitsAndReleasesBothEnds() throws Exception {
        int[] source = posix.pipe();
        int[] target = posix.pipe();
        track(source[1]);
        track(target[0]);
        CountDownLatch done = new CountDownLatch(1);
        StreamCopy copy = StreamCopy.readWrite(loop, posix, "t-stop", SharedFd.owned(posix, source[0]),
                SharedFd.owned(posix, target[1]), true, done::countDown);
        copy.start();
        copy.stop();

        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(0, posix.read(target[0], new byte[8], 0, 8), "the target's write end was closed");
    }

    @Test
    void manyStreamsShareTheOneLoopThread() throws Exception {
        int streams = 200;
        int size = 48 * 1024; // fits in a pipe: no test thread needed on either side
        loop.ensureRunning();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        long loopThreadsBefore = loopThreads();
        byte[][] payloads = new byte[streams][];
        int[] readers = new int[streams];
        CountDownLatch done = new CountDownLatch(streams);
        List<StreamCopy> copies = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            int[] source = posix.pipe();
            int[] target = posix.pipe();
            readers[i] = track(target[0]);
            payloads[i] = random(size + i);
            posix.write(source[1], payloads[i], 0, payloads[i].length);
            posix.close(source[1]);
            copies.add(StreamCopy.splicing(loop, posix, "t-many-" + i, SharedFd.owned(posix, source[0]),
                    SharedFd.owned(posix, target[1]), true, done::countDown));
        }
        copies.forEach(StreamCopy::start);

        assertTrue(done.await(30, TimeUnit.SECONDS));
        assertTrue(ManagementFactory.getThreadMXBean().getThreadCount() <= threadsBefore,
                "threads grew with the streams: " + threadsBefore + " before, "
                        + ManagementFactory.getThreadMXBean().getThreadCount() + " after");
        assertEquals(loopThreadsBefore, loopThreads(), "the streams share the loop's one thread");
        for (int i = 0; i < streams; i++) {
            assertArrayEquals(payloads[i], readToEof(readers[i], false), "stream " + i);
        }
    }

    @Test
    void aStuckAndAFloodedStreamDoNotDelayAnother() throws Exception {
        // Stuck, spliced and read/write: their targets are full and nobody reads them.
        int[] stuckSource = posix.pipe();
        int[] stuckTarget = posix.pipe();
        track(stuckSource[1]);
        track(stuckTarget[0]);
        StreamCopy.splicing(loop, posix, "t-stuck", SharedFd.owned(posix, stuckSource[0]),
                SharedFd.owned(posix, stuckTarget[1]), true, () -> {}).start();
        CompletableFuture<Void> stuckWriter = writeAndClose(stuckSource, random(4 * 1024 * 1024), new AtomicLong());
        int[] stuckRwSource = posix.pipe();
        int[] stuckRwTarget = posix.pipe();
        track(stuckRwSource[1]);
        track(stuckRwTarget[0]);
        StreamCopy.readWrite(loop, posix, "t-stuck-rw", SharedFd.owned(posix, stuckRwSource[0]),
                SharedFd.owned(posix, stuckRwTarget[1]), true, () -> {}).start();
        CompletableFuture<Void> stuckRwWriter = writeAndClose(stuckRwSource, random(4 * 1024 * 1024), new AtomicLong());
        // Flooded: a writer and a reader as fast as they go, for as long as the test runs.
        int[] floodSource = posix.pipe();
        int[] floodTarget = posix.pipe();
        track(floodSource[1]);
        track(floodTarget[0]);
        StreamCopy.readWrite(loop, posix, "t-flood", SharedFd.owned(posix, floodSource[0]),
                SharedFd.owned(posix, floodTarget[1]), true, () -> {}).start();
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong flooded = new AtomicLong();
        Thread floodWriter = Thread.ofPlatform().daemon().start(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                while (flooding.get()) {
                    posix.write(floodSource[1], chunk, 0, chunk.length);
                }
            } catch (PosixException e) {
                // the test is over
            }
        });
        Thread floodReader = Thread.ofPlatform().daemon().start(() -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                int n;
                while ((n = posix.read(floodTarget[0], buffer, 0, buffer.length)) > 0) {
                    flooded.addAndGet(n);
                }
            } catch (PosixException e) {
                // the test is over
            }
        });
        // Measured: a line on a third stream.
        int[] source = posix.pipe();
        int[] target = posix.pipe();
        track(source[1]);
        track(target[0]);
        StreamCopy.splicing(loop, posix, "t-measured", SharedFd.owned(posix, source[0]),
                SharedFd.owned(posix, target[1]), true, () -> {}).start();
        try {
            Thread.sleep(300);
            assertFalse(stuckWriter.isDone(), "the stuck stream is held back");
            assertFalse(stuckRwWriter.isDone(), "the stuck read/write stream is held back");
            long slowest = 0;
            byte[] line = "ping\n".getBytes();
            byte[] received = new byte[line.length];
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                posix.write(source[1], line, 0, line.length);
                int got = 0;
                while (got < line.length) {
                    // A blocked loop must fail the test, not hang it in a read.
                    short[] revents = new short[1];
                    assertEquals(1, posix.poll(new int[] {target[0]}, new short[] {Posix.POLLIN}, revents, 5000),
                            "the line did not arrive");
                    got += posix.read(target[0], received, got, line.length - got);
                }
                slowest = Math.max(slowest, System.nanoTime() - start);
            }
            assertTrue(slowest < TimeUnit.MILLISECONDS.toNanos(500), "a line took " + slowest / 1_000_000 + " ms");
            assertTrue(flooded.get() > 1024 * 1024, "the flood went on meanwhile: " + flooded.get());
        } finally {
            // Every test thread ends before its fds close: a number closed under a live thread may be reused
            // by the next test. The flood ends at the source, the stuck streams by losing their readers.
            flooding.set(false);
            floodWriter.join(10_000);
            closeTracked(floodSource[1]);
            floodReader.join(10_000);
            closeTracked(stuckTarget[0]);
            closeTracked(stuckRwTarget[0]);
            stuckWriter.get(30, TimeUnit.SECONDS);
            stuckRwWriter.get(30, TimeUnit.SECONDS);
        }
    }

    /** Threads of stdio loops (other tests' services have loops of their own). */
    private static long loopThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(StdioLoop.THREAD_NAME))
                .count();
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

    /** Reads in small pieces, now and then pausing, so the copy keeps meeting a full target. */
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
            if (!opened.remove(Integer.valueOf(fd))) {
                return;
            }
        }
        posix.close(fd);
    }
}
