package io.jrunc.runc.io;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.runc.console.ConsoleException;
import io.jrunc.runc.console.ConsoleSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A terminal's stdio (terminal=true): runc gets no stdio of ours but a console socket, creates the pty and
 * sends its master there; the shim then copies the stdin FIFO into the master and the master to stdout.
 * There is no separate stderr on a terminal. stdin's end of file (after CloseIO and the client's close)
 * hangs the terminal up, as in the Go shim.
 */
public final class ConsoleIo implements ProcessIo {
    /** How long start() waits for runc's pty master, as the Go shim. */
    static final Duration MASTER_TIMEOUT = Duration.ofSeconds(30);

    private final StdioLoop loop;
    private final Posix posix;
    private final String id;
    private final ConsoleSocket socket;
    private final Path stdin;
    private final TerminalOutput output;
    private final Duration masterTimeout;
    private final CountDownLatch outputDone = new CountDownLatch(1);

    // Guarded by this.
    private PtyConsole console;
    private int stdinHeldWriter = -1;
    private boolean closed;

    /**
     * @param stdin the stdin FIFO, null when not wired
     * @param output where the terminal's output goes, opened once the master arrived
     */
    ConsoleIo(StdioLoop loop, Posix posix, String id, ConsoleSocket socket, Path stdin, TerminalOutput output,
            Duration masterTimeout) {
        this.loop = loop;
        this.posix = posix;
        this.id = id;
        this.socket = socket;
        this.stdin = stdin;
        this.output = output;
        this.masterTimeout = masterTimeout;
    }

    @Override
    public Optional<Path> consoleSocket() {
        return Optional.of(socket.path());
    }

    /** Nothing: runc's own stdio is /dev/null, the process gets the pty. */
    @Override
    public Map<Integer, Integer> childFds() {
        return Map.of();
    }

    @Override
    public void afterSpawn() {}

    @Override
    public void start() throws IoException {
        PtyConsole received;
        try {
            loop.ensureRunning();
            received = new PtyConsole(loop, posix, id, receiveMaster());
        } catch (ConsoleException | IoException e) {
            outputDone.countDown();
            throw new IoException("failed to start console copy: " + e.getMessage(), e);
        }
        int target = -1;
        StdioFiles.StdinEnds in = null;
        try {
            target = output.open();
            if (stdin != null) {
                in = StdioFiles.openStdin(posix, stdin);
            }
            synchronized (this) {
                if (closed) {
                    throw new IoException("the stdio of " + id + " was closed before its terminal arrived");
                }
                console = received;
                stdinHeldWriter = in == null ? -1 : in.heldWriter();
            }
        } catch (IoException e) {
            if (target >= 0) {
                posix.close(target);
            }
            if (in != null) {
                posix.close(in.reader());
                posix.close(in.heldWriter());
            }
            received.shutdown();
            outputDone.countDown();
            throw new IoException("failed to start console copy: " + e.getMessage(), e);
        }
        received.startOutput(target, outputDone::countDown);
        if (in != null) {
            received.startInput(in.reader());
        }
    }

    /**
     * Waits for runc's master on a platform thread of its own (the wait blocks in the kernel, which would
     * pin a virtual thread's carrier), parking the caller meanwhile.
     */
    private int receiveMaster() throws ConsoleException {
        CompletableFuture<Integer> master = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("console-socket-" + id).start(() -> {
            try {
                master.complete(socket.receiveMaster(masterTimeout));
            } catch (ConsoleException | RuntimeException e) {
                master.completeExceptionally(e);
            }
        });
        try {
            return master.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new ConsoleException("failed to retrieve console master: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            master.thenAccept(posix::close); // arrives later: nobody will use it
            throw new ConsoleException("interrupted while waiting for the console master of " + id, e);
        }
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
    public void resize(int width, int height) throws IoException {
        PtyConsole current;
        synchronized (this) {
            current = console;
        }
        if (current == null) {
            return;
        }
        try {
            current.resize(width, height);
        } catch (PosixException e) {
            throw new IoException("failed to resize the console of " + id + ": " + e.getMessage(), e);
        }
    }

    /** Closes the console socket if still open and shuts the terminal down (output copy stops, pty hangs up). */
    @Override
    public void close() {
        PtyConsole current;
        synchronized (this) {
            closed = true;
            closeStdin();
            current = console;
        }
        socket.close();
        if (current != null) {
            current.shutdown();
        } else {
            outputDone.countDown();
        }
        output.close();
    }
}
