package io.jrunc.runc.task;

import io.jrunc.posix.Posix;
import io.jrunc.posix.Reaper;
import io.jrunc.runc.io.BinaryIo;
import io.jrunc.runc.io.IoException;
import io.jrunc.runc.io.ProcessIo;
import io.jrunc.runc.io.ProcessIoFactory;
import io.jrunc.runc.io.StdioSpec;
import io.jrunc.runc.logging.LoggerCommand;
import io.jrunc.runc.process.IoOpener;

/**
 * Stdio for inits and execs: {@code binary://} and {@code binary-v2://} (without a terminal) start a logging
 * binary; everything else (FIFOs, {@code file://}, terminals) is the io package's.
 */
final class StdioFactory {
    private final ProcessIoFactory others;
    private final Posix posix;
    private final Reaper reaper;
    private final String namespace;

    StdioFactory(ProcessIoFactory others, Posix posix, Reaper reaper, String namespace) {
        this.others = others;
        this.posix = posix;
        this.reaper = reaper;
        this.namespace = namespace;
    }

    /** @param processId the container id for an init, the exec id for an exec (also the logger's CONTAINER_ID) */
    ProcessIo open(String processId, StdioSpec stdio, int ioUid, int ioGid) throws IoException {
        if (!stdio.terminal() && !stdio.isNull() && isLoggingBinary(stdio.scheme())) {
            LoggerCommand command;
            try {
                command = LoggerCommand.parse(stdio.stdout());
            } catch (IllegalArgumentException e) {
                throw new IoException(e.getMessage(), e);
            }
            return BinaryIo.start(posix, reaper, command, processId, namespace);
        }
        return others.create(processId, stdio, ioUid, ioGid);
    }

    /** An opener for the processes of one container, whose pipes belong to its io uid/gid. */
    IoOpener forOwner(int ioUid, int ioGid) {
        return (processId, stdio) -> open(processId, stdio, ioUid, ioGid);
    }

    private static boolean isLoggingBinary(String scheme) {
        return scheme.equals("binary") || scheme.equals("binary-v2");
    }
}
