package io.jrunc.runc.io;

import io.jrunc.posix.Posix;
import io.jrunc.runc.console.ConsoleException;
import io.jrunc.runc.console.ConsoleSocket;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Chooses the stdio implementation from containerd's stdio URIs (scheme of stdout decides). */
public final class ProcessIoFactory {
    private final Posix posix;
    private final StdioLoop loop;
    private final ConsoleSockets consoleSockets;

    /** @param loop copies the stdio of every process this factory makes (one per daemon) */
    public ProcessIoFactory(Posix posix, StdioLoop loop) {
        this(posix, loop, () -> ConsoleSocket.create(posix));
    }

    /** @param consoleSockets makes the console socket of each terminal (tests put them elsewhere) */
    ProcessIoFactory(Posix posix, StdioLoop loop, ConsoleSockets consoleSockets) {
        this.posix = posix;
        this.loop = loop;
        this.consoleSockets = consoleSockets;
    }

    /** Where a terminal's console socket comes from. */
    @FunctionalInterface
    interface ConsoleSockets {
        ConsoleSocket get() throws ConsoleException;
    }

    /**
     * @param id process id, used in thread names and messages
     * @throws UnsupportedStdioException for schemes this shim does not serve yet (binary://)
     * @throws IoException when the stdio cannot be set up, e.g. an unknown scheme (Go: "unknown STDIO scheme x")
     */
    public ProcessIo create(String id, StdioSpec stdio, int ioUid, int ioGid) throws IoException {
        if (stdio.terminal()) {
            return terminal(id, stdio);
        }
        if (stdio.isNull()) {
            return new NullIo();
        }
        String scheme = stdio.scheme();
        return switch (scheme) {
            case "fifo" -> new PipeIo(loop, posix, id, path(stdio.stdin()), path(stdio.stdout()), path(stdio.stderr()),
                    ioUid, ioGid);
            case "file" -> fileIo(id, stdio, ioUid, ioGid);
            case "binary", "binary-v2" -> throw new UnsupportedStdioException(
                    "STDIO scheme " + scheme + " (logging binary) is not supported by this shim yet");
            default -> throw new IoException("unknown STDIO scheme " + scheme);
        };
    }

    /**
     * A terminal: runc sends the pty master to a console socket; its output goes to stdout (a FIFO, or a
     * file:// file), stderr is not used. The io uid/gid do not apply: runc makes the pty inside the container.
     */
    private ProcessIo terminal(String id, StdioSpec stdio) throws IoException {
        String scheme = stdio.scheme();
        TerminalOutput output = switch (scheme) {
            case "fifo" -> stdio.stdout().isEmpty() ? () -> -1 : toFile(Path.of(stdio.stdout()));
            case "file" -> toFile(stdioFile(stdio));
            case "binary", "binary-v2" -> throw new UnsupportedStdioException(
                    "STDIO scheme " + scheme + " (logging binary) with a terminal is not supported by this shim yet");
            default -> throw new IoException("unknown STDIO scheme " + scheme);
        };
        return terminal(id, stdio, output);
    }

    /**
     * A terminal whose output goes where {@code output} says, e.g. a logging binary's stdout pipe (the scheme
     * of {@code stdio.stdout()} is not looked at); stdin is {@code stdio.stdin()}'s FIFO.
     */
    public ProcessIo terminal(String id, StdioSpec stdio, TerminalOutput output) throws IoException {
        ConsoleSocket socket;
        try {
            socket = consoleSockets.get();
        } catch (ConsoleException e) {
            throw new IoException(e.getMessage(), e);
        }
        return new ConsoleIo(loop, posix, id, socket, path(stdio.stdin()), output, ConsoleIo.MASTER_TIMEOUT);
    }

    private TerminalOutput toFile(Path file) {
        return () -> StdioFiles.openOutput(posix, file, "stdout");
    }

    /** file://: stdout and stderr both append to one file (created 0644 with its parents), stdin as a FIFO. */
    private ProcessIo fileIo(String id, StdioSpec stdio, int ioUid, int ioGid) throws IoException {
        Path file = stdioFile(stdio);
        return new PipeIo(loop, posix, id, path(stdio.stdin()), file, stdio.stderr().isEmpty() ? null : file, ioUid, ioGid);
    }

    /** The file of a file:// stdout, created 0644 with its parents when missing. */
    private static Path stdioFile(StdioSpec stdio) throws IoException {
        Path file;
        try {
            file = Path.of(new URI(stdio.stdout()).getPath());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IoException("unable to parse stdout uri: " + e.getMessage(), e);
        }
        if (!file.isAbsolute()) {
            throw new IoException("file:// stdio needs an absolute path, got " + stdio.stdout());
        }
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            }
        } catch (IOException e) {
            throw new IoException("cannot create stdio file " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static Path path(String value) {
        return value.isEmpty() ? null : Path.of(value);
    }

    /** Kept so callers can answer UNIMPLEMENTED rather than a generic failure. */
    public static final class UnsupportedStdioException extends IoException {
        private static final long serialVersionUID = 1L;

        public UnsupportedStdioException(String message) {
            super(message);
        }
    }
}
