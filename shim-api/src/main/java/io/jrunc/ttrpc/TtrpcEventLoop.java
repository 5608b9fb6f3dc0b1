package io.jrunc.ttrpc;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/**
 * The epoll event loop group shared by every ttrpc server and client in the process; only handlers
 * registered as non-blocking run on it (see {@link ServiceRegistry.Dispatch}). Created on first use; its
 * threads are daemons, so it never keeps the JVM alive and needs no shutdown.
 *
 * <p>One daemon serves a whole containerd namespace, hundreds of connections at once. With a single
 * thread every read, decode and write queued behind one core (about 30 us of loop time per call), so
 * the group has one thread per CPU up to {@link #DEFAULT_MAX_THREADS}; each connection stays on one
 * thread, so per-connection order is unchanged. {@code -Djrunc.ttrpc.eventLoopThreads=N} overrides it.
 */
public final class TtrpcEventLoop {

    public static final String THREADS_PROPERTY = "jrunc.ttrpc.eventLoopThreads";
    /** More loop threads than this buy nothing a shim needs, and each costs a thread and an epoll fd. */
    public static final int DEFAULT_MAX_THREADS = 4;

    private TtrpcEventLoop() {}

    private static final class Holder {
        static final EventLoopGroup GROUP = create();

        private static EventLoopGroup create() {
            Epoll.ensureAvailability();
            int threads = Math.max(1, Integer.getInteger(THREADS_PROPERTY, defaultThreads()));
            return new MultiThreadIoEventLoopGroup(
                    threads, new DefaultThreadFactory("ttrpc-loop", true), EpollIoHandler.newFactory());
        }
    }

    /** One per CPU, at most {@link #DEFAULT_MAX_THREADS}. */
    public static int defaultThreads() {
        return Math.min(DEFAULT_MAX_THREADS, Runtime.getRuntime().availableProcessors());
    }

    /** True on one of the event loop's threads, where nothing may block. */
    public static boolean inEventLoop() {
        for (EventExecutor executor : group()) {
            if (executor.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** The shared group, created on first call. */
    public static EventLoopGroup group() {
        return Holder.GROUP;
    }

    /**
     * One thread that only accepts connections for the servers (Netty's "boss"): a burst of new connections
     * (every client of a busy node at once) is taken in while the call loops are busy, instead of 16 per
     * loop iteration behind their reads. Started by the first server; clients never start it. Measured with
     * 500 clients connecting at once, 20 State calls each (ManyConnectionsStateBench, two alternating runs
     * each): median 16.6/16.2 ms without it, 12.2/11.6 ms with it; the daemon's CPU per call 35/29 us
     * without, 23/25 us with.
     */
    public static EventLoopGroup acceptor() {
        return AcceptorHolder.GROUP;
    }

    private static final class AcceptorHolder {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("ttrpc-accept", true), EpollIoHandler.newFactory());
    }
}
