package io.jrunc.posix;

import java.nio.file.Path;

/** Mounting and unmounting (container root filesystems). Part of {@link Posix}. */
public interface Mounts {
    int MNT_DETACH = 2;

    void mount(String source, Path target, String type, long flags, String data) throws PosixException;

    /** Fails with errno 22 (EINVAL) when nothing is mounted there. */
    void unmount(Path target, int flags) throws PosixException;
}
