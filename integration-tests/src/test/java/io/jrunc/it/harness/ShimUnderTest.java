package io.jrunc.it.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shims a scenario runs against: the Go reference shim and ours. containerd maps a runtime
 * name such as "io.containerd.jrunc.v2" to the binary "containerd-shim-jrunc-v2" found on its PATH.
 */
public enum ShimUnderTest {
    GO("io.containerd.runc.v2", "containerd-shim-runc-v2"),
    JAVA("io.containerd.jrunc.v2", "containerd-shim-jrunc-v2");

    private final String runtime;
    private final String binaryName;

    ShimUnderTest(String runtime, String binaryName) {
        this.runtime = runtime;
        this.binaryName = binaryName;
    }

    /** The runtime name for {@code ctr run --runtime} or Container.runtime.name. */
    public String runtime() {
        return runtime;
    }

    public String binaryName() {
        return binaryName;
    }

    /** Where containerd will find the binary: the Go shim on the system PATH, ours in the dist bin dir. */
    public Path binary() {
        return switch (this) {
            case GO -> Path.of("/usr/bin", binaryName);
            case JAVA -> ItPaths.shimDistBin().resolve(binaryName);
        };
    }

    /** Whether the binary is there to be started (ours only after shim-launcher's dist was built). */
    public boolean installed() {
        return Files.isExecutable(binary());
    }

    /**
     * Fails the calling test when the binary is missing: a cell that cannot run its shim is a failure,
     * never a skip (a suite must not pass by not running).
     */
    public void requireInstalled() {
        if (!installed()) {
            throw new AssertionError(this + " shim binary " + binary() + " is missing: " + switch (this) {
                case GO -> "install containerd's runc shim (apt-get install containerd)";
                case JAVA -> "build shim-launcher's dist (mvn -B -DskipTests package at the project root)";
            });
        }
    }
}
