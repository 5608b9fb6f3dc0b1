package io.jrunc.posix;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.LastError;
import jnr.ffi.Memory;
import jnr.ffi.Platform;
import jnr.ffi.Pointer;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * {@link Posix} on jnr-posix, plus a jnr-ffi binding ({@link NativeLibc.Calls}) for the calls
 * jnr-posix lacks; spawning and listening sockets are {@link Spawner}'s, on that binding. Binding costs
 * hundreds of milliseconds, so there is one lazily created instance.
 */
public final class JnrPosix implements Posix {

    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    // x86_64 layouts: struct msghdr is 56 bytes, struct iovec 16, a cmsghdr header 16 (data 8-aligned).
    private static final int MSGHDR_BYTES = 56;
    private static final int IOVEC_BYTES = 16;
    private static final int CMSG_HEADER_BYTES = 16;
    private static final long TIOCGWINSZ = 0x5413;
    private static final long FIONREAD = 0x541B;
    private static final long TIOCSWINSZ = 0x5414;

    private static final class Holder {
        static final JnrPosix INSTANCE = new JnrPosix();
    }

    private final POSIX posix;
    private final NativeLibc.Calls libc;
    private final jnr.ffi.Runtime runtime;
    private final Spawner spawner;
    /** Told of every child started outside a reaper, so a reaper sleeping on ECHILD wakes for it. */
    private final java.util.List<Runnable> spawnListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private JnrPosix() {
        posix = POSIXFactory.getNativePOSIX(new QuietPosixHandler());
        libc = Spawner.bind(NativeLibc.Calls.class);
        runtime = jnr.ffi.Runtime.getRuntime(libc);
        spawner = new Spawner(libc);
    }

    /** The process-wide instance, bound on first use. */
    public static JnrPosix instance() {
        return Holder.INSTANCE;
    }

    private int errno() {
        return LastError.getLastError(runtime);
    }

    private static PosixException failure(String call, int errno, String what) {
        return Spawner.failure(call, errno, what);
    }

    @Override
    public int pid() {
        return posix.getpid();
    }

    @Override
    public int parentPid() {
        return posix.getppid();
    }

    @Override
    public void becomeChildSubreaper() throws PosixException {
        if (libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
            throw failure("prctl", errno(), "PR_SET_CHILD_SUBREAPER");
        }
    }

    @Override
    public void kill(int pid, int signal) throws PosixException {
        if (posix.kill(pid, signal) != 0) {
            throw failure("kill", posix.errno(), "pid " + pid + " signal " + signal);
        }
    }

    /** Always adds O_CLOEXEC: children get only the fds their {@link SpawnSpec} names. */
    @Override
    public int open(Path path, int flags, int mode) throws PosixException {
        while (true) {
            int fd = posix.open(path.toString(), flags | O_CLOEXEC, mode);
            if (fd >= 0) {
                return fd;
            }
            int errno = posix.errno();
            if (errno != Errno.EINTR) {
                throw failure("open", errno, path.toString());
            }
        }
    }

    @Override
    public int[] pipe() throws PosixException {
        int[] fds = new int[2];
        if (libc.pipe2(fds, O_CLOEXEC) != 0) {
            throw failure("pipe2", errno(), "pipe");
        }
        return fds;
    }

    @Override
    public int read(int fd, byte[] buffer, int offset, int length) throws PosixException {
        byte[] target = offset == 0 ? buffer : new byte[length];
        while (true) {
            int n = posix.read(fd, target, length);
            if (n >= 0) {
                if (target != buffer) {
                    System.arraycopy(target, 0, buffer, offset, n);
                }
                return n;
            }
            int errno = posix.errno();
            if (errno != Errno.EINTR) {
                throw failure("read", errno, "fd " + fd);
            }
        }
    }

    @Override
    public void write(int fd, byte[] buffer, int offset, int length) throws PosixException {
        byte[] rest = offset == 0 && length == buffer.length ? buffer : java.util.Arrays.copyOfRange(buffer, offset, offset + length);
        while (rest.length > 0) {
            int n = posix.write(fd, rest, rest.length);
            if (n < 0) {
                int errno = posix.errno();
                if (errno == Errno.EINTR) {
                    continue;
                }
                throw failure("write", errno, "fd " + fd);
            }
            rest = java.util.Arrays.copyOfRange(rest, n, rest.length);
        }
    }

    @Override
    public int writeSome(int fd, byte[] buffer, int offset, int length) throws PosixException {
        byte[] bytes = offset == 0 ? buffer : java.util.Arrays.copyOfRange(buffer, offset, offset + length);
        while (true) {
            int n = posix.write(fd, bytes, length);
            if (n >= 0) {
                return n;
            }
            int errno = posix.errno();
            if (errno != Errno.EINTR) {
                throw failure("write", errno, "fd " + fd);
            }
        }
    }

    @Override
    public void setNonBlocking(int fd) throws PosixException {
        int flags = libc.fcntl(fd, F_GETFL, 0);
        if (flags < 0 || libc.fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
            throw failure("fcntl", errno(), "O_NONBLOCK on fd " + fd);
        }
    }

    @Override
    public void close(int fd) {
        posix.close(fd);
    }

    @Override
    public void fchown(int fd, int uid, int gid) throws PosixException {
        if (posix.fchown(fd, uid, gid) != 0) {
            throw failure("fchown", posix.errno(), "fd " + fd);
        }
    }

    @Override
    public void mount(String source, Path target, String type, long flags, String data) throws PosixException {
        if (libc.mount(source, target.toString(), type, flags, data) != 0) {
            throw failure("mount", errno(), source + " on " + target);
        }
    }

    @Override
    public void unmount(Path target, int flags) throws PosixException {
        if (libc.umount2(target.toString(), flags) != 0) {
            throw failure("umount2", errno(), target.toString());
        }
    }

    @Override
    public int listenUnix(Path path, int backlog) throws PosixException {
        return spawner.listenUnix(path, backlog);
    }

    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int EPOLL_CLOEXEC = 02000000;
    private static final int IN_CLOEXEC = 02000000;
    private static final int IN_NONBLOCK = 04000;
    /** struct epoll_event {u32 events; u64 data}: packed (12 bytes) on x86_64, naturally aligned (16) elsewhere. */
    private static final boolean EPOLL_EVENT_PACKED = Platform.getNativePlatform().getCPU() == Platform.CPU.X86_64;
    private static final int EPOLL_EVENT_BYTES = EPOLL_EVENT_PACKED ? 12 : 16;
    private static final int EPOLL_DATA_OFFSET = EPOLL_EVENT_PACKED ? 4 : 8;

    @Override
    public int eventfd(int initval, int flags) throws PosixException {
        int fd = libc.eventfd(initval, flags | O_CLOEXEC);
        if (fd < 0) {
            throw failure("eventfd", errno(), "eventfd");
        }
        return fd;
    }

    @Override
    public int epollCreate() throws PosixException {
        int fd = libc.epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) {
            throw failure("epoll_create1", errno(), "epoll");
        }
        return fd;
    }

    @Override
    public void epollAdd(int epfd, int fd, int events, long token) throws PosixException {
        if (libc.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, epollEvent(events, token)) != 0) {
            throw failure("epoll_ctl", errno(), "add fd " + fd + " to epoll " + epfd);
        }
    }

    @Override
    public void epollModify(int epfd, int fd, int events, long token) throws PosixException {
        if (libc.epoll_ctl(epfd, EPOLL_CTL_MOD, fd, epollEvent(events, token)) != 0) {
            throw failure("epoll_ctl", errno(), "modify fd " + fd + " in epoll " + epfd);
        }
    }

    private static byte[] epollEvent(int events, long token) {
        java.nio.ByteBuffer event = java.nio.ByteBuffer.allocate(EPOLL_EVENT_BYTES).order(java.nio.ByteOrder.nativeOrder());
        event.putInt(0, events).putLong(EPOLL_DATA_OFFSET, token);
        return event.array();
    }

    @Override
    public void epollRemove(int epfd, int fd) throws PosixException {
        // A non-null event keeps kernels before 2.6.9 happy; it is ignored.
        if (libc.epoll_ctl(epfd, EPOLL_CTL_DEL, fd, new byte[EPOLL_EVENT_BYTES]) != 0) {
            throw failure("epoll_ctl", errno(), "remove fd " + fd + " from epoll " + epfd);
        }
    }

    @Override
    public int epollWait(int epfd, long[] tokens, int timeoutMillis) throws PosixException {
        byte[] events = new byte[EPOLL_EVENT_BYTES * tokens.length];
        int n = libc.epoll_wait(epfd, events, tokens.length, timeoutMillis);
        if (n < 0) {
            int errno = errno();
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw failure("epoll_wait", errno, "epoll " + epfd);
        }
        java.nio.ByteBuffer ready = java.nio.ByteBuffer.wrap(events).order(java.nio.ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            tokens[i] = ready.getLong(i * EPOLL_EVENT_BYTES + EPOLL_DATA_OFFSET);
        }
        return n;
    }

    @Override
    public int inotifyInit() throws PosixException {
        int fd = libc.inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd < 0) {
            throw failure("inotify_init1", errno(), "inotify");
        }
        return fd;
    }

    @Override
    public int inotifyAddWatch(int fd, Path path, int mask) throws PosixException {
        int wd = libc.inotify_add_watch(fd, path.toString(), mask);
        if (wd < 0) {
            throw failure("inotify_add_watch", errno(), path.toString());
        }
        return wd;
    }

    @Override
    public void inotifyRemoveWatch(int fd, int wd) throws PosixException {
        if (libc.inotify_rm_watch(fd, wd) != 0) {
            throw failure("inotify_rm_watch", errno(), "watch " + wd);
        }
    }

    @Override
    public long splice(int fdIn, int fdOut, long length, int flags) throws PosixException {
        while (true) {
            long n = libc.splice(fdIn, null, fdOut, null, length, flags);
            if (n >= 0) {
                return n;
            }
            int errno = errno();
            if (errno != Errno.EINTR) {
                throw failure("splice", errno, "fd " + fdIn + " to fd " + fdOut);
            }
        }
    }

    @Override
    public int poll(int[] fds, short[] events, short[] revents, int timeoutMillis) throws PosixException {
        if (events.length != fds.length || revents.length != fds.length) {
            throw new PosixException("poll", Errno.EINVAL, "fds, events and revents differ in length");
        }
        // struct pollfd { int fd; short events; short revents; }: on little-endian x86_64 the second int is
        // events in the low half and revents in the high half.
        int[] raw = new int[fds.length * 2];
        for (int i = 0; i < fds.length; i++) {
            raw[2 * i] = fds[i];
            raw[2 * i + 1] = events[i] & 0xffff;
        }
        while (true) {
            int ready = libc.poll(raw, fds.length, timeoutMillis);
            if (ready >= 0) {
                for (int i = 0; i < fds.length; i++) {
                    revents[i] = (short) (raw[2 * i + 1] >>> 16);
                }
                return ready;
            }
            int errno = errno();
            if (errno != Errno.EINTR) {
                throw failure("poll", errno, fds.length + " fds");
            }
        }
    }

    @Override
    public int accept(int listenFd) throws PosixException {
        while (true) {
            int fd = libc.accept4(listenFd, null, null, Spawner.SOCK_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
            int errno = errno();
            if (errno != Errno.EINTR) {
                throw failure("accept4", errno, "fd " + listenFd);
            }
        }
    }

    @Override
    public int connectUnix(Path path) throws PosixException {
        byte[] address = Spawner.socketAddress("connect", path);
        int fd = spawner.unixStreamSocket();
        if (libc.connect(fd, address, address.length) != 0) {
            int errno = errno();
            posix.close(fd);
            throw failure("connect", errno, path.toString());
        }
        return fd;
    }

    @Override
    public ReceivedMessage receiveWithFds(int fd, byte[] buffer, int maxFds) throws PosixException {
        int controlBytes = CMSG_HEADER_BYTES + align8(4L * Math.max(1, maxFds));
        Pointer data = Memory.allocateDirect(runtime, Math.max(1, buffer.length), true);
        Pointer control = Memory.allocateDirect(runtime, controlBytes, true);
        Pointer iov = iovec(data, buffer.length);
        Pointer message = message(iov, control, controlBytes);
        long n;
        while (true) {
            n = libc.recvmsg(fd, message, MSG_CMSG_CLOEXEC);
            if (n >= 0) {
                break;
            }
            int errno = errno();
            if (errno != Errno.EINTR) {
                throw failure("recvmsg", errno, "fd " + fd);
            }
        }
        // The kernel used these through raw addresses only: keep them from being freed before now.
        Reference.reachabilityFence(iov);
        Reference.reachabilityFence(control);
        data.get(0, buffer, 0, (int) n);
        List<Integer> fds = new ArrayList<>();
        long controlLength = message.getLong(40);
        long offset = 0;
        while (offset + CMSG_HEADER_BYTES <= controlLength) {
            long length = control.getLong(offset);
            if (length < CMSG_HEADER_BYTES) {
                break;
            }
            if (control.getInt(offset + 8) == SOL_SOCKET && control.getInt(offset + 12) == SCM_RIGHTS) {
                for (long at = offset + CMSG_HEADER_BYTES; at + 4 <= offset + length; at += 4) {
                    fds.add(control.getInt(at));
                }
            }
            offset += align8(length);
        }
        return new ReceivedMessage((int) n, fds, (message.getInt(48) & MSG_CTRUNC) != 0);
    }

    @Override
    public void sendWithFds(int fd, byte[] data, int[] fds) throws PosixException {
        if (data.length == 0) {
            // A stream socket sends nothing for an empty payload, so the fds would be lost.
            throw new PosixException("sendmsg", Errno.EINVAL, "fds need at least one byte of data to travel with");
        }
        Pointer payload = Memory.allocateDirect(runtime, data.length, true);
        payload.put(0, data, 0, data.length);
        Pointer control = null;
        int controlBytes = 0;
        if (fds.length > 0) {
            controlBytes = CMSG_HEADER_BYTES + align8(4L * fds.length);
            control = Memory.allocateDirect(runtime, controlBytes, true);
            control.putLong(0, CMSG_HEADER_BYTES + 4L * fds.length);
            control.putInt(8, SOL_SOCKET);
            control.putInt(12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                control.putInt(CMSG_HEADER_BYTES + 4L * i, fds[i]);
            }
        }
        Pointer iov = iovec(payload, data.length);
        Pointer message = message(iov, control, controlBytes);
        long n;
        while (true) {
            n = libc.sendmsg(fd, message, MSG_NOSIGNAL);
            if (n >= 0) {
                break;
            }
            int errno = errno();
            if (errno != Errno.EINTR) {
                throw failure("sendmsg", errno, "fd " + fd);
            }
        }
        // The kernel used these through raw addresses only: keep them from being freed before now.
        Reference.reachabilityFence(payload);
        Reference.reachabilityFence(iov);
        Reference.reachabilityFence(control);
        if (n < data.length) {
            write(fd, data, (int) n, data.length - (int) n);
        }
    }

    /** A struct iovec for {@code data}; the caller keeps {@code data} reachable while the iovec is used. */
    private Pointer iovec(Pointer data, int dataLength) {
        Pointer iov = Memory.allocateDirect(runtime, IOVEC_BYTES, true);
        iov.putAddress(0, data.address());
        iov.putLong(8, dataLength);
        return iov;
    }

    /**
     * A struct msghdr with one iovec and an optional control buffer, referred to by address only: the caller
     * keeps both reachable until the call that uses the message returned.
     */
    private Pointer message(Pointer iov, Pointer control, int controlBytes) {
        Pointer message = Memory.allocateDirect(runtime, MSGHDR_BYTES, true);
        message.putAddress(16, iov.address());
        message.putLong(24, 1);
        if (control != null) {
            message.putAddress(32, control.address());
            message.putLong(40, controlBytes);
        }
        return message;
    }

    private static int align8(long length) {
        return (int) ((length + 7) & ~7L);
    }

    @Override
    public void setWindowSize(int fd, int rows, int cols) throws PosixException {
        if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) {
            throw new PosixException("ioctl", Errno.EINVAL, "window size " + rows + "x" + cols + " out of range 0-65535");
        }
        short[] winsize = {(short) rows, (short) cols, 0, 0};
        if (libc.ioctl(fd, TIOCSWINSZ, winsize) != 0) {
            throw failure("ioctl", errno(), "TIOCSWINSZ fd " + fd);
        }
    }

    @Override
    public int unreadBytes(int fd) throws PosixException {
        int[] count = new int[1];
        if (libc.ioctl(fd, FIONREAD, count) != 0) {
            throw failure("ioctl", errno(), "FIONREAD fd " + fd);
        }
        return count[0];
    }

    @Override
    public int[] windowSize(int fd) throws PosixException {
        short[] winsize = new short[4];
        if (libc.ioctl(fd, TIOCGWINSZ, winsize) != 0) {
            throw failure("ioctl", errno(), "TIOCGWINSZ fd " + fd);
        }
        return new int[] {winsize[0] & 0xffff, winsize[1] & 0xffff};
    }

    @Override
    public int openPtyMaster() throws PosixException {
        int fd = libc.posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
            throw failure("posix_openpt", errno(), "/dev/ptmx");
        }
        if (libc.grantpt(fd) != 0 || libc.unlockpt(fd) != 0) {
            int errno = errno();
            posix.close(fd);
            throw failure("unlockpt", errno, "pty master " + fd);
        }
        return fd;
    }

    @Override
    public Path ptySlave(int master) throws PosixException {
        byte[] name = new byte[128];
        int rc = libc.ptsname_r(master, name, name.length);
        if (rc != 0) {
            throw failure("ptsname_r", rc, "fd " + master);
        }
        int length = 0;
        while (length < name.length && name[length] != 0) {
            length++;
        }
        return Path.of(new String(name, 0, length, StandardCharsets.UTF_8));
    }

    @Override
    public int spawnDetached(SpawnSpec spec) throws PosixException {
        int pid = spawnProcess(spec);
        spawnListeners.forEach(Runnable::run);
        return pid;
    }

    void addSpawnListener(Runnable listener) {
        spawnListeners.add(listener);
    }

    void removeSpawnListener(Runnable listener) {
        spawnListeners.remove(listener);
    }

    /** {@link Spawner#spawn}: posix_spawnp of the spec, on this binding. */
    int spawnProcess(SpawnSpec spec) throws PosixException {
        return spawner.spawn(spec);
    }

    /**
     * Blocking waitpid(-1): the pid of a reaped child with its raw status in {@code status[0]}, or
     * -errno (ECHILD when there are no children).
     */
    int waitAnyChild(int[] status) {
        while (true) {
            int pid = libc.waitpid(-1, status, 0);
            if (pid > 0) {
                return pid;
            }
            int errno = errno();
            if (errno != Errno.EINTR) {
                return -errno;
            }
        }
    }
}
