package io.jrunc.runc.console;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.ReceivedMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Unix socket runc's {@code --console-socket} connects to: a listening {@code pty.sock} in a private
 * temp dir. runc connects once and sends one message, the pty's name with exactly one fd (the pty master)
 * attached. {@link #close()} closes the socket and removes the dir.
 */
public final class ConsoleSocket implements AutoCloseable {
    /** The longest pty name accepted, as go-runc. */
    static final int MAX_NAME_BYTES = 4096;
    /** Room for more fds than allowed, so a wrong count is seen rather than cut by the kernel. */
    private static final int MAX_FDS = 16;

    private final Posix posix;
    private final Path dir;
    private final Path socket;
    // Guarded by this.
    private int listenFd;
    private boolean receiving;

    private ConsoleSocket(Posix posix, Path dir, Path socket, int listenFd) {
        this.posix = posix;
        this.dir = dir;
        this.socket = socket;
        this.listenFd = listenFd;
    }

    /** A new socket in a private dir under $XDG_RUNTIME_DIR, else $TMPDIR, else /tmp (as go-runc). */
    public static ConsoleSocket create(Posix posix) throws ConsoleException {
        return createIn(posix, defaultParent());
    }

    /** A new socket in a private dir (prefix {@code pty}) under {@code parent}. */
    public static ConsoleSocket createIn(Posix posix, Path parent) throws ConsoleException {
        Path dir;
        try {
            dir = Files.createTempDirectory(parent, "pty");
        } catch (IOException e) {
            throw new ConsoleException("failed to create OCI runtime console socket: cannot create a temp dir in "
                    + parent + ": " + e.getMessage(), e);
        }
        Path socket = dir.resolve("pty.sock").toAbsolutePath();
        try {
            return new ConsoleSocket(posix, dir, socket, posix.listenUnix(socket, 1));
        } catch (PosixException e) {
            deleteQuietly(dir);
            throw new ConsoleException("failed to create OCI runtime console socket: " + e.getMessage(), e);
        }
    }

    private static Path defaultParent() {
        for (String variable : new String[] {"XDG_RUNTIME_DIR", "TMPDIR"}) {
            String value = System.getenv(variable);
            if (value != null && !value.isEmpty()) {
                return Path.of(value);
            }
        }
        return Path.of("/tmp");
    }

    /** The absolute path to hand to runc. */
    public Path path() {
        return socket;
    }

    /**
     * Accepts runc's connection and takes the pty master it sends; the caller owns the returned fd. Fails
     * when nothing arrives within {@code timeout}, or the message is not one name with exactly one fd.
     * Either way the socket is closed and its dir removed afterwards (runc connects only once). Blocks in
     * the kernel: call it from a platform thread.
     */
    public int receiveMaster(Duration timeout) throws ConsoleException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int listener;
        synchronized (this) {
            if (listenFd < 0 || receiving) {
                throw new ConsoleException("console socket " + socket + " is closed or already in use");
            }
            receiving = true;
            listener = listenFd;
        }
        try {
            awaitReadable(listener, deadline, timeout, "the OCI runtime to connect to " + socket);
            int connection = posix.accept(listener);
            try {
                awaitReadable(connection, deadline, timeout, "the OCI runtime to send the pty master over " + socket);
                ReceivedMessage message = posix.receiveWithFds(connection, new byte[MAX_NAME_BYTES], MAX_FDS);
                return checkedMaster(message);
            } finally {
                posix.close(connection);
            }
        } catch (PosixException e) {
            throw new ConsoleException("receiving the pty master over " + socket + " failed: " + e.getMessage(), e);
        } finally {
            synchronized (this) {
                receiving = false;
            }
            close();
        }
    }

    private void awaitReadable(int fd, long deadline, Duration timeout, String what)
            throws PosixException, ConsoleException {
        long leftMillis = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        int pollMillis = (int) Math.min(Integer.MAX_VALUE, leftMillis);
        if (posix.poll(new int[] {fd}, new short[] {Posix.POLLIN}, new short[1], pollMillis) == 0) {
            throw new ConsoleException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
        }
    }

    /** Exactly one fd, with a name shorter than 4096 bytes; anything else is closed and refused. */
    private int checkedMaster(ReceivedMessage message) throws ConsoleException {
        String problem = null;
        if (message.fdsTruncated()) {
            problem = "more than " + MAX_FDS + " fds were sent";
        } else if (message.length() == 0 && message.fds().isEmpty()) {
            problem = "the connection closed without a message";
        } else if (message.fds().size() != 1) {
            problem = "expected exactly one fd, got " + message.fds().size();
        } else if (message.length() >= MAX_NAME_BYTES) {
            problem = "the pty name is " + message.length() + " bytes or longer";
        }
        if (problem != null) {
            message.fds().forEach(posix::close);
            throw new ConsoleException("invalid pty master message on " + socket + ": " + problem);
        }
        return message.fds().getFirst();
    }

    /**
     * Closes the socket and removes its dir; idempotent. While {@link #receiveMaster} runs, that call closes
     * it when it returns (its fd must stay valid until then).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (listenFd < 0 || receiving) {
                return;
            }
            posix.close(listenFd);
            listenFd = -1;
        }
        deleteQuietly(socket);
        deleteQuietly(dir);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A stray empty temp dir is harmless.
        }
    }
}
