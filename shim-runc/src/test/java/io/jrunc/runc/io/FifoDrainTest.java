package io.jrunc.runc.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.posix.Posix;
import io.jrunc.runc.testsupport.Natives;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FifoDrainTest {
    private final Posix posix = Natives.posix();

    @Test
    void anEmptyPipeIsLetGoAtOnce() throws Exception {
        int[] pipe = posix.pipe();
        try {
            CountDownLatch done = new CountDownLatch(1);
            new FifoDrain(posix).whenRead(pipe[1], done::countDown);
            assertEquals(0, done.getCount(), "nothing unread: no waiting");
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }

    @Test
    void unreadOutputHoldsTheTargetUntilTheReaderTookIt() throws Exception {
        int[] pipe = posix.pipe();
        try {
            byte[] output = "last words\n".getBytes();
            posix.write(pipe[1], output, 0, output.length);
            assertEquals(output.length, posix.unreadBytes(pipe[1]));
            CountDownLatch done = new CountDownLatch(1);
            new FifoDrain(posix).whenRead(pipe[1], done::countDown);
            assertFalse(done.await(200, TimeUnit.MILLISECONDS), "let go while the output was still unread");

            byte[] read = new byte[64];
            assertEquals(output.length, posix.read(pipe[0], read, 0, read.length));
            assertTrue(done.await(5, TimeUnit.SECONDS), "not let go once read");
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }

    @Test
    void aFifoNobodyReadsIsLetGoAfterTheLimitAndThePollerEnds() throws Exception {
        int[] pipe = posix.pipe();
        try {
            posix.write(pipe[1], new byte[10], 0, 10);
            CountDownLatch done = new CountDownLatch(1);
            long began = System.nanoTime();
            new FifoDrain(posix, Duration.ofMillis(300)).whenRead(pipe[1], done::countDown);
            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - began >= TimeUnit.MILLISECONDS.toNanos(290));
            Thread.sleep(100);
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(FifoDrain.THREAD_NAME)),
                    "the poller thread ends when nothing waits");
        } finally {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
        }
    }
}
