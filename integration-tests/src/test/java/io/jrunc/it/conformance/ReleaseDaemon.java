package io.jrunc.it.conformance;

import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.ContainerdDistribution;
import io.jrunc.it.harness.PrivateContainerd;

/**
 * The containerd of one release, shared by every cell of its column (one daemon per release keeps the matrix
 * fast; each cell still gets a namespace of its own). When the release cannot be had or started, the reason is
 * kept and every cell of the column fails with it: a missing release is loud, never a silent skip.
 */
final class ReleaseDaemon implements AutoCloseable {
    private final String version;
    private final PrivateContainerd containerd;
    private final BusyboxRootfs rootfs;
    private final RuntimeException failure;

    private ReleaseDaemon(String version, PrivateContainerd containerd, BusyboxRootfs rootfs, RuntimeException failure) {
        this.version = version;
        this.containerd = containerd;
        this.rootfs = rootfs;
        this.failure = failure;
    }

    static ReleaseDaemon start(String version) {
        BusyboxRootfs rootfs = BusyboxRootfs.create();
        try {
            ContainerdDistribution distribution = ContainerdDistribution.obtain(version);
            PrivateContainerd containerd = PrivateContainerd.start(distribution);
            ConformanceReport.get().release(version, distribution.packageLabel());
            return new ReleaseDaemon(version, containerd, rootfs, null);
        } catch (RuntimeException e) {
            ConformanceReport.get().release(version, "UNAVAILABLE: " + CellResult.describe(e));
            return new ReleaseDaemon(version, null, rootfs, e);
        }
    }

    /**
     * The running daemon; started again if a cell left it stopped (e.g. the restart scenario failed between
     * killing and restarting it). Throws the reason when this release could not be started at all.
     */
    PrivateContainerd containerd() {
        if (failure != null) {
            throw new AssertionError("containerd " + version + " unavailable: " + failure.getMessage(), failure);
        }
        if (!containerd.running()) {
            containerd.restart();
        }
        return containerd;
    }

    BusyboxRootfs rootfs() {
        return rootfs;
    }

    @Override
    public void close() {
        try {
            if (containerd != null) {
                containerd.close();
            }
        } finally {
            rootfs.close();
        }
    }
}
