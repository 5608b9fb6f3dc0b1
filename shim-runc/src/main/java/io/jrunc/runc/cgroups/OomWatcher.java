package io.jrunc.runc.cgroups;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Watches the cgroups of every container of the daemon for OOM kills with one platform thread blocked in
 * epoll_wait (a daemon may serve a whole pod; a thread per container would cost a stack each for nothing).
 * The epoll set holds one eventfd per container on cgroup v1, or one shared inotify fd with a watch on each
 * container's {@code memory.events} on cgroup v2 (inotify instances are limited per user, watches much less),
 * plus an eventfd that wakes the thread for {@link #close}. Created lazily: no thread until the first watch.
 */
public final class OomWatcher implements AutoCloseable {
    private static final Logger LOG = System.getLogger(OomWatcher.class.getName());
    private static final long WAKE_TOKEN = 0;
    private static final long INOTIFY_TOKEN = 1;
    private static final int MAX_EVENTS = 64;
    private static final int INOTIFY_BUFFER = 4096;

    private final Posix posix;
    private final Consumer<String> onOom;

    // Guarded by this.
    private final Map<String, OomWatch> byContainer = new HashMap<>();
    private final Map<Long, EventfdOomWatch> byToken = new HashMap<>();
    private final Map<Integer, List<MemoryEventsOomWatch>> byWatchDescriptor = new HashMap<>();
    private long nextToken = INOTIFY_TOKEN + 1;
    private int epoll = -1;
    private int wake = -1;
    private int inotify = -1;
    private Thread thread;
    private boolean closed;

    /** @param onOom told the container id of each OOM kill (publishes /tasks/oom); must not block */
    public OomWatcher(Posix posix, Consumer<String> onOom) {
        this.posix = posix;
        this.onOom = onOom;
    }

    /** Starts watching {@code cgroup} for {@code containerId}, replacing an earlier watch of that id. */
    public void watch(String containerId, Cgroup cgroup) throws PosixException, IOException {
        unwatch(containerId);
        switch (cgroup) {
            case Cgroup.V1 v1 -> watchV1(containerId, v1.memoryDir()
                    .orElseThrow(() -> new IOException("no memory cgroup to watch for OOM: " + v1.controllers())));
            case Cgroup.V2 v2 -> watchV2(containerId, v2.dir());
        }
    }

    private void watchV1(String containerId, Path memoryDir) throws PosixException, IOException {
        EventfdOomWatch watch = EventfdOomWatch.register(containerId, memoryDir, posix);
        try {
            synchronized (this) {
                started();
                long token = nextToken++;
                posix.epollAdd(epoll, watch.eventfd(), Posix.EPOLLIN, token);
                byToken.put(token, watch);
                byContainer.put(containerId, watch);
            }
        } catch (PosixException | RuntimeException e) {
            watch.close();
            throw e;
        }
    }

    private synchronized void watchV2(String containerId, Path dir) throws PosixException, IOException {
        started();
        if (inotify < 0) {
            inotify = posix.inotifyInit();
            posix.epollAdd(epoll, inotify, Posix.EPOLLIN, INOTIFY_TOKEN);
        }
        int wd = posix.inotifyAddWatch(inotify, MemoryEventsOomWatch.eventsFile(dir), Posix.IN_MODIFY);
        MemoryEventsOomWatch watch;
        try {
            watch = new MemoryEventsOomWatch(containerId, dir, wd);
        } catch (IOException e) {
            dropWatchDescriptorIfUnused(wd);
            throw e;
        }
        byWatchDescriptor.computeIfAbsent(wd, k -> new ArrayList<>()).add(watch);
        byContainer.put(containerId, watch);
    }

    /**
     * The last look before the container's init exit is published: reports an OOM the watcher thread has not
     * reported yet, so /tasks/oom precedes /tasks/exit. A no-op for containers not watched.
     */
    public void finalCheck(String containerId) {
        Optional<OomWatch> watch;
        synchronized (this) {
            watch = Optional.ofNullable(byContainer.get(containerId));
        }
        watch.ifPresent(this::check);
    }

    /** Stops watching the container (after Delete). */
    public void unwatch(String containerId) {
        OomWatch watch;
        synchronized (this) {
            watch = byContainer.get(containerId);
            if (watch == null) {
                return;
            }
            forget(watch);
        }
        watch.close();
    }

    /** Whether the watcher thread runs (it starts with the first watch). */
    synchronized boolean running() {
        return thread != null && thread.isAlive();
    }

    /** Containers watched now. */
    public synchronized int size() {
        return byContainer.size();
    }

    /** Stops the thread and closes every fd. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Thread running;
        synchronized (this) {
            running = thread;
            if (running == null) {
                return;
            }
            signalWake();
        }
        try {
            running.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Creates the epoll set and starts the thread on first use. Caller holds this. */
    private void started() throws PosixException {
        if (closed) {
            throw new IllegalStateException("OOM watcher closed");
        }
        if (thread != null) {
            return;
        }
        epoll = posix.epollCreate();
        try {
            wake = posix.eventfd(0, Posix.EFD_NONBLOCK);
            posix.epollAdd(epoll, wake, Posix.EPOLLIN, WAKE_TOKEN);
        } catch (PosixException e) {
            if (wake >= 0) {
                posix.close(wake);
                wake = -1;
            }
            posix.close(epoll);
            epoll = -1;
            throw e;
        }
        thread = Thread.ofPlatform().daemon().name("jrunc-oom").start(this::loop);
    }

    private void loop() {
        long[] tokens = new long[MAX_EVENTS];
        try {
            while (!isClosed()) {
                int n;
                try {
                    n = posix.epollWait(epoll, tokens, -1);
                } catch (PosixException e) {
                    LOG.log(Level.ERROR, "OOM watching stopped: " + e.getMessage());
                    return;
                }
                for (int i = 0; i < n; i++) {
                    try {
                        dispatch(tokens[i]);
                    } catch (RuntimeException e) {
                        LOG.log(Level.ERROR, "handling an OOM notification failed", e);
                    }
                }
            }
        } finally {
            closeAll();
        }
    }

    private void dispatch(long token) {
        if (token == WAKE_TOKEN) {
            drainWake();
        } else if (token == INOTIFY_TOKEN) {
            readInotify();
        } else {
            EventfdOomWatch watch;
            synchronized (this) {
                watch = byToken.get(token);
            }
            if (watch != null) {
                check(watch);
            }
        }
    }

    /** Drains the inotify fd and checks every container whose memory.events changed. */
    private void readInotify() {
        int fd;
        synchronized (this) {
            fd = inotify; // made by a watching thread
        }
        byte[] buffer = new byte[INOTIFY_BUFFER];
        while (true) {
            int n;
            try {
                n = posix.read(fd, buffer, 0, buffer.length);
            } catch (PosixException e) {
                if (e.errno() != Errno.EAGAIN) {
                    LOG.log(Level.WARNING, "reading inotify for OOM events failed: " + e.getMessage());
                }
                return;
            }
            if (n <= 0) {
                return;
            }
            for (InotifyEvents.Event event : InotifyEvents.parse(buffer, n)) {
                List<MemoryEventsOomWatch> watches;
                synchronized (this) {
                    watches = List.copyOf(byWatchDescriptor.getOrDefault(event.watchDescriptor(), List.of()));
                    if ((event.mask() & Posix.IN_IGNORED) != 0) {
                        byWatchDescriptor.remove(event.watchDescriptor()); // the kernel dropped it: file gone
                    }
                }
                for (MemoryEventsOomWatch watch : watches) {
                    check(watch);
                }
            }
        }
    }

    private void check(OomWatch watch) {
        if (!watch.check(onOom)) {
            synchronized (this) {
                if (byContainer.get(watch.containerId()) != watch) {
                    return; // already replaced or dropped
                }
                forget(watch);
            }
            watch.close();
            LOG.log(Level.DEBUG, "cgroup of " + watch.containerId() + " is gone; OOM watching stopped");
        }
    }

    /** Removes the watch from every map. Caller holds this; closing the watch is the caller's next step. */
    private void forget(OomWatch watch) {
        byContainer.remove(watch.containerId(), watch);
        switch (watch) {
            case EventfdOomWatch e -> byToken.values().remove(e);
            case MemoryEventsOomWatch m -> {
                List<MemoryEventsOomWatch> same = byWatchDescriptor.get(m.watchDescriptor());
                if (same != null && same.remove(m) && same.isEmpty()) {
                    byWatchDescriptor.remove(m.watchDescriptor());
                    dropWatchDescriptorIfUnused(m.watchDescriptor());
                }
            }
        }
    }

    /** inotify gives two containers in one cgroup the same descriptor: remove it only when nobody uses it. */
    private void dropWatchDescriptorIfUnused(int wd) {
        if (byWatchDescriptor.containsKey(wd)) {
            return;
        }
        try {
            posix.inotifyRemoveWatch(inotify, wd);
        } catch (PosixException e) {
            // EINVAL: the kernel already dropped it (cgroup removed)
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    private void signalWake() {
        byte[] one = new byte[Long.BYTES];
        one[java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? 0 : Long.BYTES - 1] = 1;
        try {
            posix.write(wake, one, 0, one.length);
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "cannot wake the OOM watcher: " + e.getMessage());
        }
    }

    private void drainWake() {
        byte[] counter = new byte[Long.BYTES];
        try {
            posix.read(wake, counter, 0, counter.length);
        } catch (PosixException e) {
            // EAGAIN: already drained
        }
    }

    private void closeAll() {
        List<OomWatch> watches;
        synchronized (this) {
            watches = new ArrayList<>(byContainer.values());
            byContainer.clear();
            byToken.clear();
            byWatchDescriptor.clear();
        }
        watches.forEach(OomWatch::close);
        synchronized (this) {
            if (inotify >= 0) {
                posix.close(inotify);
                inotify = -1;
            }
            posix.close(wake);
            posix.close(epoll);
            wake = -1;
            epoll = -1;
            thread = null; // after a failure the next watch starts afresh
        }
    }
}
