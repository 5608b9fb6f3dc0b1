package io.jrunc.runc.io;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The one thread that copies the stdio of every process of the daemon. Each copy's fds are non-blocking and
 * watched with level-triggered epoll, so a stream costs a registration, not a thread. Handlers never block
 * and each moves a bounded share per event, so a stuck or flooded stream cannot hold up the others.
 *
 * <p>Threading: {@link #watch} and {@link #unwatch} (and everything a handler does) run on the loop thread
 * only; other threads hand work over with {@link #execute}. The thread starts with the first work.
 */
public final class StdioLoop {
    static final String THREAD_NAME = "jrunc-stdio";
    /** Read/write copies go through this one buffer; only a write the target refused is kept per copy. */
    static final int BUFFER_SIZE = 64 * 1024;
    private static final Logger LOG = System.getLogger(StdioLoop.class.getName());
    private static final long WAKE_TOKEN = 0;
    private static final int MAX_EVENTS = 256;
    /** Adds 1 to the eventfd's counter (a native-order u64; x86_64 and arm64 are little-endian). */
    private static final byte[] WAKE_INCREMENT = {1, 0, 0, 0, 0, 0, 0, 0};

    /** What a handler waits for on an fd. */
    enum Interest {
        READ,
        WRITE
    }

    private final Posix posix;
    private final FifoDrain fifoDrain;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    // Loop thread only.
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private final Map<Long, Watch> byToken = new HashMap<>();
    private final Map<Integer, Watch> byFd = new HashMap<>();
    /** Watches of fds epoll refuses (regular files, /dev/null): always ready, dispatched every turn. */
    private final Set<Watch> alwaysReady = new LinkedHashSet<>();
    private long nextToken = WAKE_TOKEN + 1;
    // Guarded by this.
    private int epoll = -1;
    private int wake = -1;
    private Thread thread;

    public StdioLoop(Posix posix) {
        this.fifoDrain = new FifoDrain(posix);
        this.posix = posix;
    }

    /** Starts the loop's thread unless it runs; fails when the kernel gives no epoll or eventfd. */
    synchronized void ensureRunning() throws IoException {
        if (thread != null) {
            return;
        }
        int ep = -1;
        int ev = -1;
        try {
            ep = posix.epollCreate();
            ev = posix.eventfd(0, Posix.EFD_NONBLOCK);
            posix.epollAdd(ep, ev, Posix.EPOLLIN, WAKE_TOKEN);
        } catch (PosixException e) {
            if (ev >= 0) {
                posix.close(ev);
            }
            if (ep >= 0) {
                posix.close(ep);
            }
            throw new IoException("cannot start the stdio loop: " + e.getMessage(), e);
        }
        epoll = ep;
        wake = ev;
        thread = Thread.ofPlatform().daemon().name(THREAD_NAME).start(this::run);
    }

    /** Runs {@code task} on the loop thread soon, after the tasks handed over before it. */
    void execute(Runnable task) {
        try {
            ensureRunning();
        } catch (IoException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        tasks.add(task);
        try {
            posix.writeSome(wakeFd(), WAKE_INCREMENT, 0, WAKE_INCREMENT.length);
        } catch (PosixException e) {
            // EAGAIN: the counter is far from 0, the loop wakes anyway.
            if (e.errno() != Errno.EAGAIN) {
                LOG.log(Level.ERROR, "cannot wake the stdio loop: " + e.getMessage());
            }
        }
    }

    private synchronized int wakeFd() {
        return wake;
    }

    /** The loop's read buffer, for handlers (its content is only valid during the handler's call). */
    byte[] buffer() {
        return buffer;
    }

    /**
     * Calls {@code handler} whenever {@code fd} is ready for {@code interest} (or failed, or hung up) until
     * {@link #unwatch}. An fd epoll cannot watch (a regular file) counts as always ready. Loop thread only.
     */
    void watch(int fd, Interest interest, Runnable handler) throws PosixException {
        Watch watch = byFd.get(fd);
        if (watch == null) {
            watch = new Watch(fd, nextToken++);
            byFd.put(fd, watch);
            byToken.put(watch.token, watch);
        }
        if (watch.handler(interest) != null) {
            throw new IllegalStateException("fd " + fd + " is already watched for " + interest);
        }
        watch.set(interest, handler);
        try {
            update(watch);
        } catch (PosixException e) {
            watch.set(interest, null);
            forgetIfIdle(watch);
            throw e;
        }
    }

    /** Stops calling the handler of {@code fd} for {@code interest}; must happen before the fd is closed. */
    void unwatch(int fd, Interest interest) {
        Watch watch = byFd.get(fd);
        if (watch == null || watch.handler(interest) == null) {
            return;
        }
        watch.set(interest, null);
        try {
            update(watch);
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "cannot stop watching fd " + fd + ": " + e.getMessage());
        }
        forgetIfIdle(watch);
    }

    /** Makes the kernel's registration match the handlers: added, modified or deleted. */
    private void update(Watch watch) throws PosixException {
        int events = watch.events();
        if (watch.unpollable) {
            if (events == 0) {
                alwaysReady.remove(watch);
            } else {
                alwaysReady.add(watch);
            }
            return;
        }
        if (events == watch.registered) {
            return;
        }
        if (events == 0) {
            watch.registered = 0;
            posix.epollRemove(epoll, watch.fd);
        } else if (watch.registered == 0) {
            try {
                posix.epollAdd(epoll, watch.fd, events, watch.token);
                watch.registered = events;
            } catch (PosixException e) {
                if (e.errno() != Errno.EPERM) {
                    throw e;
                }
                watch.unpollable = true;
                alwaysReady.add(watch);
            }
        } else {
            posix.epollModify(epoll, watch.fd, events, watch.token);
            watch.registered = events;
        }
    }

    private void forgetIfIdle(Watch watch) {
        if (watch.events() == 0) {
            byFd.remove(watch.fd);
            byToken.remove(watch.token);
            alwaysReady.remove(watch);
        }
    }

    private void run() {
        long[] tokens = new long[MAX_EVENTS];
        int epfd;
        int wakeFd;
        synchronized (this) {
            epfd = epoll;
            wakeFd = wake;
        }
        while (true) {
            int n;
            try {
                n = posix.epollWait(epfd, tokens, alwaysReady.isEmpty() && tasks.isEmpty() ? -1 : 0);
            } catch (PosixException e) {
                LOG.log(Level.ERROR, "the stdio loop stopped: " + e.getMessage());
                return;
            }
            for (int i = 0; i < n; i++) {
                if (tokens[i] == WAKE_TOKEN) {
                    drainWake(wakeFd);
                    continue;
                }
                Watch watch = byToken.get(tokens[i]);
                if (watch != null) {
                    dispatch(watch);
                }
            }
            if (!alwaysReady.isEmpty()) {
                new ArrayList<>(alwaysReady).forEach(this::dispatch);
            }
            Runnable task;
            while ((task = tasks.poll()) != null) {
                runGuarded(task);
            }
        }
    }

    /** Without the event bits, both handlers get the call; each tries its side and waits again when not ready. */
    private void dispatch(Watch watch) {
        Runnable reader = watch.onReadable;
        if (reader != null) {
            runGuarded(reader);
        }
        Runnable writer = watch.onWritable;
        if (writer != null && byToken.get(watch.token) == watch) {
            runGuarded(writer);
        }
    }

    private void runGuarded(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "stdio loop task failed", e);
        }
    }

    private void drainWake(int wakeFd) {
        try {
            posix.read(wakeFd, buffer, 0, 8);
        } catch (PosixException e) {
            // EAGAIN: already drained.
        }
    }

    /** One fd's registration: a handler per interest, one epoll entry for both. */
    private static final class Watch {
        final int fd;
        final long token;
        Runnable onReadable;
        Runnable onWritable;
        int registered;
        boolean unpollable;

        Watch(int fd, long token) {
            this.fd = fd;
            this.token = token;
        }

        Runnable handler(Interest interest) {
            return interest == Interest.READ ? onReadable : onWritable;
        }

        void set(Interest interest, Runnable handler) {
            if (interest == Interest.READ) {
                onReadable = handler;
            } else {
                onWritable = handler;
            }
        }

        int events() {
            return (onReadable == null ? 0 : Posix.EPOLLIN) | (onWritable == null ? 0 : Posix.EPOLLOUT);
        }
    }

    /** Where output FIFOs wait for their reader before they are let go. */
    FifoDrain fifoDrain() {
        return fifoDrain;
    }
}
