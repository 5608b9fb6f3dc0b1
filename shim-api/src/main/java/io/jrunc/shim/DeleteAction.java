package io.jrunc.shim;

/** The {@code delete} action: the runtime cleans up; containerd reads the DeleteResponse bytes from stdout. */
final class DeleteAction {
    private final ShimRuntime runtime;

    DeleteAction(ShimRuntime runtime) {
        this.runtime = runtime;
    }

    byte[] run(ShimFlags flags) throws Exception {
        return runtime.cleanup(flags).toByteArray();
    }
}
