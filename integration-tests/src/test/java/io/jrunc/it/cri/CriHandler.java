package io.jrunc.it.cri;

import io.jrunc.it.harness.ShimUnderTest;

/**
 * The CRI runtime handlers (Kubernetes RuntimeClass handlers) the private containerd offers, one per shim:
 * {@code runc} runs pods on the Go reference shim, {@code jrunc} on ours. A case failing for RUNC is a wrong
 * scenario; JRUNC must give the same results.
 */
enum CriHandler {
    RUNC("runc", ShimUnderTest.GO),
    JRUNC("jrunc", ShimUnderTest.JAVA);

    private final String handlerName;
    private final ShimUnderTest shim;

    CriHandler(String handlerName, ShimUnderTest shim) {
        this.handlerName = handlerName;
        this.shim = shim;
    }

    /** What RunPodSandboxRequest.runtime_handler names, a key of the CRI plugin's {@code runtimes} table. */
    String handlerName() {
        return handlerName;
    }

    ShimUnderTest shim() {
        return shim;
    }
}
