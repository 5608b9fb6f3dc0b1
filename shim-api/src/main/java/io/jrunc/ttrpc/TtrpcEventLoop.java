package io.jrunc.ttrpc;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/**
 * The one epoll event loop shared by every ttrpc server and client in the process. A shim has a
 * handful of connections, so one thread is plenty and keeps memory small; handlers never run on
 * it (see {@link TtrpcServer}). Created on first use; its threads are daemons, so it never keeps
 * the JVM alive and needs no shutdown.
 *
 * <p>The thread count can be raised with {@code -Djrunc.ttrpc.eventLoopThreads=N} (used by the
 * benchmark to compare).
 */
public final class TtrpcEventLoop {

    public static final String THREADS_PROPERTY = "jrunc.ttrpc.eventLoopThreads";

    private TtrpcEventLoop() {}

    private static final class Holder {
        static final EventLoopGroup GROUP = create();

        private static EventLoopGroup create() {
            Epoll.ensureAvailability();
            int threads = Math.max(1, Integer.getInteger(THREADS_PROPERTY, 1));
            return new MultiThreadIoEventLoopGroup(
                    threads, new DefaultThreadFactory("ttrpc-loop", true), EpollIoHandler.newFactory());
        }
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
}
