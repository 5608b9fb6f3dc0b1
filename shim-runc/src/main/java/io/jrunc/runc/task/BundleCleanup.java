package io.jrunc.runc.task;

import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.posix.Reaper;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.runc.bundle.BundleFiles;
import io.jrunc.runc.cli.CommandRunner;
import io.jrunc.runc.cli.Runc;
import io.jrunc.runc.cli.RuncConfig;
import io.jrunc.runc.cli.RuncException;
import io.jrunc.runc.mount.RootfsMounter;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code delete} action: containerd runs it after every teardown and after a daemon died. Removes the
 * runc container, unmounts the rootfs and reports the init as killed (137). Idempotent: whatever is already
 * gone counts as clean, and failures are only warnings (containerd logs stderr).
 */
public final class BundleCleanup {
    private static final Logger LOG = System.getLogger(BundleCleanup.class.getName());
    /** 128 + SIGKILL: what containerd reports for a task whose shim had to be cleaned up. */
    static final int KILLED_STATUS = 137;

    private final Posix posix;
    private final Supplier<Reaper> reaperFactory;

    /** @param reaperFactory starts a reaper for this short-lived process, only if runc has to run */
    public BundleCleanup(Posix posix, Supplier<Reaper> reaperFactory) {
        this.posix = posix;
        this.reaperFactory = reaperFactory;
    }

    public DeleteResponse run(Path bundle, String namespace, String id) throws InterruptedException {
        BundleFiles files = new BundleFiles(bundle);
        deleteRuncContainer(files, namespace, id);
        try {
            new RootfsMounter(posix).unmountAll(files.rootfs());
        } catch (PosixException e) {
            LOG.log(Level.WARNING, "failed to cleanup rootfs mount: " + e.getMessage());
        }
        int pid = 0;
        try {
            Optional<Integer> initPid = files.readInitPidIfPresent();
            if (initPid.isEmpty()) {
                LOG.log(Level.WARNING, "no init pid file in " + bundle);
            }
            pid = initPid.orElse(0);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "failed to read init pid file: " + e.getMessage());
        }
        return DeleteResponse.newBuilder()
                .setPid(pid)
                .setExitStatus(KILLED_STATUS)
                .setExitedAt(Timestamps.of(Instant.now()))
                .build();
    }

    /** {@code runc delete --force}, only when Create got as far as writing the runtime file. */
    private void deleteRuncContainer(BundleFiles files, String namespace, String id) throws InterruptedException {
        Optional<String> runtime;
        Options options;
        try {
            runtime = files.readRuntime();
            options = files.readOptions().orElse(Options.getDefaultInstance());
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.WARNING, "cannot read the runtime files of " + files.dir() + ": " + e.getMessage());
            return;
        }
        if (runtime.isEmpty()) {
            return;
        }
        Options withBinary = options.toBuilder().setBinaryName(runtime.get()).build();
        RuncConfig config = RuncConfig.of(withBinary, files.dir(), namespace);
        try (Reaper reaper = reaperFactory.get()) {
            new Runc(new CommandRunner(reaper, posix), config).delete(id, true);
        } catch (RuncException e) {
            LOG.log(Level.WARNING, "failed to remove runc container: " + e.getMessage());
        }
    }
}
