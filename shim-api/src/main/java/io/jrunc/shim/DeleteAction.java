package io.jrunc.shim;

/**
 * The {@code delete} action: the runtime cleans up; containerd reads the DeleteResponse bytes from
 * stdout. The launcher script answers without a JVM when the daemon left a {@link DeletedMarker};
 * this is the full cleanup for everything else (the daemon died, its Delete failed). A dead
 * daemon's state file goes too, and the container's place in a bounded daemon; its socket file stays, as with the Go shim: a new daemon of the
 * group may be binding that name right now, and the next {@code start} replaces a stale one.
 */
final class DeleteAction {
    private final ShimRuntime runtime;

    DeleteAction(ShimRuntime runtime) {
        this.runtime = runtime;
    }

    byte[] run(ShimFlags flags) throws Exception {
        byte[] response = runtime.cleanup(flags).toByteArray();
        AddressFile.read(flags.bundle()).ifPresent(address -> {
            DaemonStateFile.of(address.path()).removeIfStale();
            DaemonSlots.of(address.path()).release(flags.id()); // its place in a bounded daemon, if it held one
        });
        return response;
    }
}
