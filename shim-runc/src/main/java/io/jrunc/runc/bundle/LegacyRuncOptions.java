package io.jrunc.runc.bundle;

import io.jrunc.proto.linux.runc.CreateOptions;
import io.jrunc.proto.linux.runc.RuncOptions;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.shim.errors.ShimException;

/**
 * The older option types ({@code containerd.linux.runc}) as the {@link Options} the runc shim works with.
 * containerd's Go client up to 1.7 sends {@code CreateOptions} to every runtime not named
 * {@code io.containerd.runc*}; some callers send {@code RuncOptions}. Each field maps to the Options field
 * the v1 runtime used it for.
 */
final class LegacyRuncOptions {
    private LegacyRuncOptions() {}

    /**
     * CreateOptions: fields 2-7 are criu flags for a restore. Without a checkpoint they mean nothing and are
     * ignored, as containerd's v1 shim ignored them; a restore would run without them (the Go shims pass only
     * the paths to {@code runc restore}), so asking for one with them set is refused rather than silently
     * restoring something else.
     */
    static Options fromCreateOptions(CreateOptions c, boolean restore) {
        if (restore) {
            refuseRestoreFlag("open_tcp", c.getOpenTcp());
            refuseRestoreFlag("external_unix_sockets", c.getExternalUnixSockets());
            refuseRestoreFlag("terminal", c.getTerminal());
            refuseRestoreFlag("file_locks", c.getFileLocks());
            refuseRestoreFlag("empty_namespaces", c.getEmptyNamespacesCount() > 0);
            refuseRestoreFlag("cgroups_mode", !c.getCgroupsMode().isEmpty());
        }
        return Options.newBuilder()
                .setNoPivotRoot(c.getNoPivotRoot())
                .setNoNewKeyring(c.getNoNewKeyring())
                .setShimCgroup(c.getShimCgroup())
                .setIoUid(c.getIoUid())
                .setIoGid(c.getIoGid())
                .setCriuWorkPath(c.getCriuWorkPath())
                .setCriuImagePath(c.getCriuImagePath())
                .build();
    }

    /** RuncOptions: which runc, its state root, criu, and the systemd cgroup driver. */
    static Options fromRuncOptions(RuncOptions r) {
        return Options.newBuilder()
                .setBinaryName(r.getRuntime())
                .setRoot(r.getRuntimeRoot())
                .setCriuPath(r.getCriuPath())
                .setSystemdCgroup(r.getSystemdCgroup())
                .build();
    }

    private static void refuseRestoreFlag(String field, boolean set) {
        if (set) {
            throw ShimException.failedPrecondition("runtime option " + CreateOptions.getDescriptor().getFullName()
                    + "." + field + " is set for a restore, but this shim restores with the checkpoint's paths only "
                    + "(like containerd's runc shims): leave " + field + " unset");
        }
    }
}
