package io.jrunc.runc.io;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Opening the client's stdio FIFOs and files without ever blocking on a FIFO. */
final class StdioFiles {
    private StdioFiles() {}

    /**
     * An output target: a regular file is appended to; a FIFO is opened read-write, which never blocks
     * and keeps it writable while the client reconnects.
     */
    static int openOutput(Posix posix, Path path, String stream) throws IoException {
        if (isRegularFile(path)) {
            return open(posix, path, Posix.O_WRONLY | Posix.O_APPEND | Posix.O_CLOEXEC, stream);
        }
        if (Files.exists(path)) {
            return open(posix, path, Posix.O_RDWR | Posix.O_CLOEXEC, stream);
        }
        throw new IoException("containerd-shim: opening " + stream + " " + path + " failed: no such file or FIFO");
    }

    /**
     * The stdin FIFO: a reader for the copy (which makes it non-blocking), and a writer the shim holds
     * (until CloseIO) so a client that reconnects does not make the reader see EOF. Opening order avoids
     * blocking: a non-blocking reader first, which lets the non-blocking writer open, which lets a
     * blocking reader open at once.
     */
    static StdinEnds openStdin(Posix posix, Path path) throws IoException {
        int probe = open(posix, path, Posix.O_RDONLY | Posix.O_NONBLOCK | Posix.O_CLOEXEC, "stdin");
        try {
            int heldWriter = open(posix, path, Posix.O_WRONLY | Posix.O_NONBLOCK | Posix.O_CLOEXEC, "stdin");
            try {
                return new StdinEnds(open(posix, path, Posix.O_RDONLY | Posix.O_CLOEXEC, "stdin"), heldWriter);
            } catch (IoException e) {
                posix.close(heldWriter);
                throw e;
            }
        } finally {
            posix.close(probe);
        }
    }

    /** @param reader the copy's end; @param heldWriter the end CloseIO closes */
    record StdinEnds(int reader, int heldWriter) {}

    static int open(Posix posix, Path path, int flags, String stream) throws IoException {
        try {
            return posix.open(path, flags, 0);
        } catch (PosixException e) {
            throw new IoException("containerd-shim: opening " + stream + " " + path + " failed: " + e.getMessage(), e);
        }
    }

    static boolean isRegularFile(Path path) {
        return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(path);
    }
}
