package io.jrunc.runc.io;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stdio through pipes the shim creates: the process writes into pipes, the shim copies them to the client's
 * FIFOs (or a file), and copies the stdin FIFO into the process. Only the streams the client named are wired.
 */
public final class PipeIo implements ProcessIo {
    private final StdioLoop loop;
    private final Posix posix;
    private final String id;
    private final Path stdinPath;
    private final Path stdoutPath;
    private final Path stderrPath;

    // Pipes: [read end, write end]; -1 once handed over or closed. Guarded by this.
    private final int[] stdinPipe;
    private final int[] stdoutPipe;
    private final int[] stderrPipe;
    private int stdinHeldWriter = -1;
    private final CountDownLatch outputDone;

    /**
     * @param stdout where stdout goes (FIFO or regular file), null when not wired; likewise stdin/stderr
     */
    PipeIo(StdioLoop loop, Posix posix, String id, Path stdin, Path stdout, Path stderr, int uid, int gid)
            throws IoException {
        this.loop = loop;
        this.posix = posix;
        this.id = id;
        this.stdinPath = stdin;
        this.stdoutPath = stdout;
        this.stderrPath = stderr;
        int[] in = null;
        int[] out = null;
        int[] err = null;
        try {
            // The container's ends belong to the io uid/gid so a user-namespaced container can use them.
            if (stdin != null) {
                in = pipe("stdin");
                chown(in[0], uid, gid, "stdin");
            }
            if (stdout != null) {
                out = pipe("stdout");
                chown(out[1], uid, gid, "stdout");
            }
            if (stderr != null) {
                err = pipe("stderr");
                chown(err[1], uid, gid, "stderr");
            }
        } catch (IoException e) {
            for (int[] p : new int[][] {in, out, err}) {
                closePipe(p);
            }
            throw e;
        }
        this.stdinPipe = in;
        this.stdoutPipe = out;
        this.stderrPipe = err;
        this.outputDone = new CountDownLatch((out == null ? 0 : 1) + (err == null ? 0 : 1));
    }

    @Override
    public synchronized Map<Integer, Integer> childFds() {
        Map<Integer, Integer> fds = new HashMap<>();
        if (stdinPipe != null && stdinPipe[0] >= 0) {
            fds.put(0, stdinPipe[0]);
        }
        if (stdoutPipe != null && stdoutPipe[1] >= 0) {
            fds.put(1, stdoutPipe[1]);
        }
        if (stderrPipe != null && stderrPipe[1] >= 0) {
            fds.put(2, stderrPipe[1]);
        }
        return fds;
    }

    @Override
    public synchronized void afterSpawn() {
        closeEnd(stdinPipe, 0);
        closeEnd(stdoutPipe, 1);
        closeEnd(stderrPipe, 1);
    }

    @Override
    public synchronized void start() throws IoException {
        loop.ensureRunning();
        List<Runnable> launches = new ArrayList<>();
        List<Integer> opened = new ArrayList<>();
        try {
            SharedFd outTarget = null;
            if (stdoutPipe != null) {
                boolean sameFile = stdoutPath.equals(stderrPath) && isRegularFile(stdoutPath);
                outTarget = new SharedFd(posix, openOutput(stdoutPath, "stdout", opened), (sameFile ? 2 : 1) + drainHold(stdoutPath));
                launches.add(copyOut("stdout", stdoutPipe, outTarget, stdoutPath));
            }
            if (stderrPipe != null) {
                SharedFd errTarget = outTarget != null && stdoutPath.equals(stderrPath) && isRegularFile(stderrPath)
                        ? outTarget
                        : new SharedFd(posix, openOutput(stderrPath, "stderr", opened), 1 + drainHold(stderrPath));
                launches.add(copyOut("stderr", stderrPipe, errTarget, stderrPath));
            }
            if (stdinPipe != null) {
                launches.add(copyIn(opened));
            }
        } catch (IoException e) {
            opened.forEach(posix::close);
            stdinHeldWriter = -1;
            throw e;
        }
        launches.forEach(Runnable::run);
    }

    /**
     * The returned launch hands the pipe's read end over to the copy (nothing is transferred before). A FIFO
     * target is let go (and the stream counted as drained) only once its reader took what the copy wrote: the
     * copy's end of it is the extra hold {@link #drainHold} added.
     */
    private Runnable copyOut(String stream, int[] pipe, SharedFd target, Path path) {
        Runnable done = drainHold(path) == 0 ? outputDone::countDown
                : () -> loop.fifoDrain().whenRead(target.fd(), () -> {
                    target.release();
                    outputDone.countDown();
                });
        return () -> {
            StreamCopy copy = StreamCopy.splicing(loop, posix, id + " " + stream, SharedFd.owned(posix, pipe[0]),
                    target, true, done);
            pipe[0] = -1;
            copy.start();
        };
    }

    /** 1 for a FIFO target (held until its reader drained it, see {@link FifoDrain}), 0 for a regular file. */
    private static int drainHold(Path path) {
        return isRegularFile(path) ? 0 : 1;
    }

    /** The shim keeps a writer on the stdin FIFO (until CloseIO) so a client that reconnects does not see EOF. */
    private Runnable copyIn(List<Integer> opened) throws IoException {
        StdioFiles.StdinEnds ends = StdioFiles.openStdin(posix, stdinPath);
        stdinHeldWriter = ends.heldWriter();
        opened.add(ends.heldWriter());
        opened.add(ends.reader());
        return () -> {
            StreamCopy copy = StreamCopy.splicing(loop, posix, id + " stdin", SharedFd.owned(posix, ends.reader()),
                    SharedFd.owned(posix, stdinPipe[1]), false, () -> {});
            stdinPipe[1] = -1;
            copy.start();
        };
    }

    private int openOutput(Path path, String stream, List<Integer> opened) throws IoException {
        int fd = StdioFiles.openOutput(posix, path, stream);
        opened.add(fd);
        return fd;
    }

    private static boolean isRegularFile(Path path) {
        return StdioFiles.isRegularFile(path);
    }

    @Override
    public boolean awaitOutputDrained(Duration timeout) throws InterruptedException {
        return outputDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public synchronized void closeStdin() {
        if (stdinHeldWriter >= 0) {
            posix.close(stdinHeldWriter);
            stdinHeldWriter = -1;
        }
    }

    @Override
    public synchronized void close() {
        closeStdin();
        closePipe(stdinPipe);
        closePipe(stdoutPipe);
        closePipe(stderrPipe);
    }

    private int[] pipe(String stream) throws IoException {
        try {
            return posix.pipe();
        } catch (PosixException e) {
            throw new IoException("failed to create " + stream + " pipe: " + e.getMessage(), e);
        }
    }

    private void chown(int fd, int uid, int gid, String stream) throws IoException {
        try {
            posix.fchown(fd, uid, gid);
        } catch (PosixException e) {
            throw new IoException("failed to chown " + stream + ": " + e.getMessage(), e);
        }
    }

    private void closeEnd(int[] pipe, int end) {
        if (pipe != null && pipe[end] >= 0) {
            posix.close(pipe[end]);
            pipe[end] = -1;
        }
    }

    private void closePipe(int[] pipe) {
        closeEnd(pipe, 0);
        closeEnd(pipe, 1);
    }
}
