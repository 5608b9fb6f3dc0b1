package io.jrunc.shim.task;

import io.jrunc.shim.errors.ShimException;

final class Unimplemented {
    private Unimplemented() {}

    static ShimException method(String name) {
        return ShimException.notImplemented(name + " is not implemented by this shim yet");
    }
}
