package io.jrunc.runc.mount;

import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.proto.types.Mount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Mounts a container's rootfs components onto {@code <bundle>/rootfs} and takes them down again. */
public final class RootfsMounter {
    /** The kernel copies at most one page of mount data. */
    static final int MAX_DATA = 4096;

    private static final int BUSY_RETRIES = 50;
    private static final long BUSY_WAIT_MILLIS = 50;

    private final Posix posix;

    public RootfsMounter(Posix posix) {
        this.posix = posix;
    }

    /** Mounts every component on {@code target}, in order; on a failure unmounts what was mounted and throws. */
    public void mountAll(List<Mount> mounts, Path target) throws MountException {
        for (Mount mount : mounts) {
            try {
                mount(mount, target);
            } catch (MountException | PosixException e) {
                try {
                    unmountAll(target);
                } catch (PosixException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw new MountException("failed to mount rootfs component " + describe(mount) + ": " + e.getMessage(), e);
            }
        }
    }

    /** One component, as mount(8) would: the mount itself, then propagation, then a read-only remount of binds. */
    public void mount(Mount mount, Path target) throws MountException, PosixException {
        if (mount.getType().startsWith("fuse.") || mount.getType().startsWith("fuse3.")) {
            throw new MountException("FUSE mounts (" + mount.getType() + ") are not supported by this shim yet", null);
        }
        MountOptions options = MountOptions.parse(mount.getOptionsList());
        if (options.loop()) {
            throw new MountException("loop mounts are not supported by this shim yet", null);
        }
        if (options.data().length() > MAX_DATA) {
            throw new MountException("mount options is too long", null);
        }
        if (!options.isFlagsOnlyRemount()) {
            posix.mount(mount.getSource(), target, mount.getType(), options.flags(), options.data());
        }
        if (options.propagation() != 0) {
            posix.mount("", target, "", options.propagation(), "");
        }
        if (options.needsReadOnlyRemount()) {
            posix.mount("", target, "", options.flags() | MountFlags.MS_REMOUNT, "");
        }
    }

    /**
     * Unmounts {@code target} until nothing is mounted there any more (the kernel answers EINVAL). A missing
     * target means there is nothing to do.
     */
    public void unmountAll(Path target) throws PosixException {
        if (!Files.exists(target)) {
            return;
        }
        while (true) {
            try {
                unmountOnce(target);
            } catch (PosixException e) {
                if (e.errno() == Errno.EINVAL || e.errno() == Errno.ENOENT) {
                    return;
                }
                throw e;
            }
        }
    }

    private void unmountOnce(Path target) throws PosixException {
        for (int attempt = 1; ; attempt++) {
            try {
                posix.unmount(target, 0);
                return;
            } catch (PosixException e) {
                if (e.errno() != Errno.EBUSY || attempt >= BUSY_RETRIES) {
                    throw e;
                }
                sleepQuietly();
            }
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(BUSY_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Shown in errors: type, source and options, like containerd's. */
    static String describe(Mount mount) {
        return "{type=" + mount.getType() + " source=" + mount.getSource() + " options=" + mount.getOptionsList() + "}";
    }
}
