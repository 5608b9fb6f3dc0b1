package io.jrunc.runc;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import io.jrunc.proto.linux.runc.CreateOptions;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.runc.cgroups.CgroupMode;
import io.jrunc.runc.cgroups.ShimCgroup;
import io.jrunc.shim.ShimFlags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runc runtime's start hooks: the grouping qualifier and the shim cgroup. */
class RuncRuntimeTest {
    @TempDir
    Path tmp;

    private static byte[] createOptions(String cgroup) {
        return Any.newBuilder().setTypeUrl("containerd.linux.runc.CreateOptions")
                .setValue(CreateOptions.newBuilder().setShimCgroup(cgroup).build().toByteString()).build().toByteArray();
    }

    private RuncRuntime runtime() {
        return new RuncRuntime(() -> null, () -> null, () -> new ShimCgroup(CgroupMode.V2, tmp, false));
    }

    @Test
    void theQualifierIsTheFirst16HexOfTheCgroupsSha256() throws Exception {
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("/shims/a".getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        assertEquals(Optional.of(expected), runtime().groupingQualifier(createOptions("/shims/a")));
        byte[] v1 = Any.newBuilder().setTypeUrl("containerd.runc.v1.Options")
                .setValue(Options.newBuilder().setShimCgroup("/shims/a").build().toByteString()).build().toByteArray();
        assertEquals(Optional.of(expected), runtime().groupingQualifier(v1), "same cgroup, same daemon, whatever the type");
    }

    @Test
    void noCgroupNoQualifier() throws Exception {
        assertEquals(Optional.empty(), runtime().groupingQualifier(new byte[0]));
        assertEquals(Optional.empty(), runtime().groupingQualifier(createOptions("")));
    }

    @Test
    void theNewDaemonIsMovedIntoTheCgroup() throws Exception {
        Files.createDirectories(tmp.resolve("shims/a"));
        runtime().daemonStarted(flags(), 1234, createOptions("/shims/a"));
        assertEquals("1234", Files.readString(tmp.resolve("shims/a/cgroup.procs")));
    }

    @Test
    void withoutACgroupNothingIsTouched() throws Exception {
        RuncRuntime runtime = new RuncRuntime(() -> null, () -> null, () -> {
            throw new AssertionError("no cgroup asked for");
        });
        runtime.daemonStarted(flags(), 1234, new byte[0]);
    }

    private ShimFlags flags() throws Exception {
        return io.jrunc.shim.ShimCommandLine.parse(new String[] {"-namespace", "ns", "-id", "c1", "-address",
                "/run/containerd/containerd.sock", "-bundle", tmp.toString(), "start"});
    }

    @Test
    void podGroupKeyPrefersTheRuncGroupThenTheSandbox() {
        RuncRuntime runtime = new RuncRuntime();
        assertEquals("g", runtime.podGroupKey(
                java.util.Map.of("io.kubernetes.cri.sandbox-id", "sb", "io.containerd.runc.v2.group", "g"), "id"));
        assertEquals("sb", runtime.podGroupKey(java.util.Map.of("io.kubernetes.cri.sandbox-id", "sb", "x", "y"), "id"));
        assertEquals("id", runtime.podGroupKey(java.util.Map.of("io.containerd.runc.v2.group", 5), "id"));
        assertEquals("id", runtime.podGroupKey(java.util.Map.of(), "id"));
    }
}
