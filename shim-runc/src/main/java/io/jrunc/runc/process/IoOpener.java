package io.jrunc.runc.process;

import io.jrunc.runc.io.IoException;
import io.jrunc.runc.io.ProcessIo;
import io.jrunc.runc.io.StdioSpec;

/** Sets up the shim's side of one process's stdio (pipes, file, logging binary or terminal). */
@FunctionalInterface
public interface IoOpener {
    /** @param processId the container id for an init, the exec id for an exec */
    ProcessIo open(String processId, StdioSpec stdio) throws IoException;
}
