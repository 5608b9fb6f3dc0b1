package io.jrunc.launcher;

import io.jrunc.runc.RuncRuntime;
import io.jrunc.shim.Shim;

/** {@code containerd-shim-jrunc-v2}: the generic shim lifecycle with the runc runtime. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        Shim.main(args, new RuncRuntime());
    }
}
