package io.jrunc.it.cri;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the end of containerd's log since the failing test's pod began (CRI plugin and shim lines, the
 * shim's own log included), so a report says what CRI and the shim did.
 */
public final class CriLogOnFailure implements TestWatcher {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        CriPod pod = CriPod.current();
        if (pod == null) {
            return;
        }
        System.err.println("=== " + context.getDisplayName() + " [" + pod.handler() + " on " + pod.containerd().distribution()
                + ", sandbox " + pod.sandboxId()
                + "] failed: " + cause + "\n=== containerd log since the pod began (" + pod.containerd().logFile() + "):\n"
                + pod.containerdLogTail() + "\n=== end of log");
    }
}
