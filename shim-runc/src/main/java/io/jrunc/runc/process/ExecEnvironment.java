package io.jrunc.runc.process;

import io.jrunc.posix.Posix;
import io.jrunc.runc.cli.Runc;
import java.nio.file.Path;

/**
 * What an exec process uses of its container.
 *
 * @param containerId the container the process runs in
 * @param runc the container's runc (same binary, root and log)
 * @param bundle the container's bundle, where {@code <exec id>.pid} goes
 * @param io opens the exec's stdio with the container's io uid/gid
 * @param posix for signalling the process directly, as Kill of an exec does
 */
public record ExecEnvironment(String containerId, Runc runc, Path bundle, IoOpener io, Posix posix) {}
