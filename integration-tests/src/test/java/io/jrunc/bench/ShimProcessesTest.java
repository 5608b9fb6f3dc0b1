package io.jrunc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.ShimUnderTest;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShimProcessesTest {
    private static final Path OURS = Path.of("/tmp/jrunc-it-1/containerd.sock");

    @Test
    void goDaemonOfOurContainerd() {
        assertEquals(Optional.of(ShimUnderTest.GO), ShimProcesses.kindOf(
                "/usr/bin/containerd-shim-runc-v2 -namespace ns -id c1 -address /tmp/jrunc-it-1/containerd.sock", OURS));
    }

    @Test
    void javaDaemonOfOurContainerd() {
        assertEquals(Optional.of(ShimUnderTest.JAVA), ShimProcesses.kindOf(
                "/usr/lib/jvm/x/bin/java -Xmx32m -cp a.jar:b.jar io.jrunc.launcher.Main -namespace ns -id c1"
                        + " -address /tmp/jrunc-it-1/containerd.sock -debug", OURS));
    }

    @Test
    void notCounted() {
        // Another containerd's shim, a start/delete action, and something that merely mentions the socket.
        assertTrue(ShimProcesses.kindOf("/usr/bin/containerd-shim-runc-v2 -namespace ns -id c1 -address /run/containerd/containerd.sock", OURS).isEmpty());
        assertTrue(ShimProcesses.kindOf("/usr/bin/containerd-shim-runc-v2 -namespace ns -id c1 -address /tmp/jrunc-it-1/containerd.sock start", OURS).isEmpty());
        assertTrue(ShimProcesses.kindOf("java -cp x io.jrunc.launcher.Main -namespace ns -id c1 -address /tmp/jrunc-it-1/containerd.sock delete", OURS).isEmpty());
        assertTrue(ShimProcesses.kindOf("/usr/bin/ctr --address /tmp/jrunc-it-1/containerd.sock -n ns run -d x", OURS).isEmpty());
    }

    @Test
    void ownMemoryIsReadable() {
        SmapsRollup self = SmapsRollup.of(ProcessHandle.current().pid()).orElseThrow();
        assertTrue(self.rssBytes() > 0 && self.pssBytes() > 0 && self.pssBytes() <= self.rssBytes(), self.toString());
        assertEquals(self.rssBytes() > 0, SmapsRollup.sum(java.util.List.of(ProcessHandle.current().pid())).rssBytes() > 0);
        assertTrue(SmapsRollup.of(Long.MAX_VALUE).isEmpty(), "a process that does not exist counts as nothing");
    }
}
