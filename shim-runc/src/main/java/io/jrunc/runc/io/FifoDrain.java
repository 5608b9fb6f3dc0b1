package io.jrunc.runc.io;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Lets go of output FIFOs only once their reader has taken what the copy left in them. The shim opens a
 * client's output FIFO read-write, so the open never waits for the client and the pipe holds the last output
 * until the client's reader comes; closing the FIFO while bytes are unread would throw them away (a client
 * that opens its reader late, as ctr can when a short task exits first). One thread, alive only while FIFOs
 * wait, polls their unread byte count (FIONREAD); a FIFO nobody reads is let go after {@link #LIMIT}.
 */
final class FifoDrain {
    static final Duration POLL = Duration.ofMillis(5);
    static final Duration LIMIT = Duration.ofSeconds(60);
    static final String THREAD_NAME = "jrunc-fifo-drain";

    private record Waiting(int fd, long deadline, Runnable then) {}

    private final Posix posix;
    private final Duration limit;
    private final List<Waiting> waiting = new ArrayList<>();
    private boolean polling;

    FifoDrain(Posix posix) {
        this(posix, LIMIT);
    }

    FifoDrain(Posix posix, Duration limit) {
        this.posix = posix;
        this.limit = limit;
    }

    /** Runs {@code then} (once) when nothing written to {@code fd} is left unread, or after the limit. */
    void whenRead(int fd, Runnable then) {
        if (unread(fd) == 0) {
            then.run();
            return;
        }
        synchronized (this) {
            waiting.add(new Waiting(fd, System.nanoTime() + limit.toNanos(), then));
            if (!polling) {
                polling = true;
                Thread.ofPlatform().daemon().name(THREAD_NAME).start(this::poll);
            }
        }
    }

    private void poll() {
        while (true) {
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<Runnable> ready = new ArrayList<>();
            synchronized (this) {
                long now = System.nanoTime();
                for (Iterator<Waiting> it = waiting.iterator(); it.hasNext(); ) {
                    Waiting w = it.next();
                    if (unread(w.fd()) == 0 || now - w.deadline() > 0) {
                        ready.add(w.then());
                        it.remove();
                    }
                }
                if (waiting.isEmpty()) {
                    polling = false;
                }
            }
            ready.forEach(Runnable::run);
            synchronized (this) {
                if (!polling) {
                    return;
                }
            }
        }
    }

    /** What the reader has not taken yet; 0 when the kernel cannot tell (nothing to wait for then). */
    private int unread(int fd) {
        try {
            return posix.unreadBytes(fd);
        } catch (PosixException e) {
            return 0;
        }
    }
}
