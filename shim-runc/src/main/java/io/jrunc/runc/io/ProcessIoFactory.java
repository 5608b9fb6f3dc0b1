package io.jrunc.runc.io;

import io.jrunc.posix.Posix;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Chooses the stdio implementation from containerd's stdio URIs (scheme of stdout decides). */
public final class ProcessIoFactory {
    private final Posix posix;

    public ProcessIoFactory(Posix posix) {
        this.posix = posix;
    }

    /**
     * @param id process id, used in thread names and messages
     * @throws UnsupportedStdioException for schemes this shim does not serve yet (binary://, terminals)
     * @throws IoException when the stdio cannot be set up, e.g. an unknown scheme (Go: "unknown STDIO scheme x")
     */
    public ProcessIo create(String id, StdioSpec stdio, int ioUid, int ioGid) throws IoException {
        if (stdio.terminal()) {
            throw new UnsupportedStdioException("terminal (tty) stdio is not supported by this shim yet");
        }
        if (stdio.isNull()) {
            return new NullIo();
        }
        String scheme = stdio.scheme();
        return switch (scheme) {
            case "fifo" -> new PipeIo(posix, id, path(stdio.stdin()), path(stdio.stdout()), path(stdio.stderr()),
                    ioUid, ioGid);
            case "file" -> fileIo(id, stdio, ioUid, ioGid);
            case "binary", "binary-v2" -> throw new UnsupportedStdioException(
                    "STDIO scheme " + scheme + " (logging binary) is not supported by this shim yet");
            default -> throw new IoException("unknown STDIO scheme " + scheme);
        };
    }

    /** file://: stdout and stderr both append to one file (created 0644 with its parents), stdin as a FIFO. */
    private ProcessIo fileIo(String id, StdioSpec stdio, int ioUid, int ioGid) throws IoException {
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
        return new PipeIo(posix, id, path(stdio.stdin()), file, stdio.stderr().isEmpty() ? null : file, ioUid, ioGid);
    }

    private static Path path(String value) {
        return value.isEmpty() ? null : Path.of(value);
    }

    /** Kept so callers can answer UNIMPLEMENTED rather than a generic failure. */
    public static final class UnsupportedStdioException extends IoException {
        public UnsupportedStdioException(String message) {
            super(message);
        }
    }
}
