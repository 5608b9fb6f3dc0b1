package io.jrunc.shim.task;

import io.jrunc.ttrpc.StatusCode;
import io.jrunc.ttrpc.TtrpcException;

final class Unimplemented {
    private Unimplemented() {}

    static TtrpcException method(String name) {
        return new TtrpcException(StatusCode.UNIMPLEMENTED, name + " is not implemented by this shim yet");
    }
}
