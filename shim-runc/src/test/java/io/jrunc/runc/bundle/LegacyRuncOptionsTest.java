package io.jrunc.runc.bundle;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.jrunc.proto.linux.runc.CreateOptions;
import io.jrunc.proto.linux.runc.RuncOptions;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import java.util.HexFormat;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The containerd.linux.runc types as they arrive in CreateTaskRequest.options, mapped to containerd.runc.v1.Options. */
class LegacyRuncOptionsTest {

    private static Any any(String typeUrl, Message m) {
        return Any.newBuilder().setTypeUrl(typeUrl).setValue(m.toByteString()).build();
    }

    private static Options create(UnaryOperator<CreateOptions.Builder> set) {
        return RuncOptionsCodec.fromAny(any("containerd.linux.runc.CreateOptions", set.apply(CreateOptions.newBuilder()).build()));
    }

    private static Options runc(UnaryOperator<RuncOptions.Builder> set) {
        return RuncOptionsCodec.fromAny(any("containerd.linux.runc.RuncOptions", set.apply(RuncOptions.newBuilder()).build()));
    }

    @Test
    void createOptionsFieldsMapOneByOne() {
        assertEquals(Options.newBuilder().setNoPivotRoot(true).build(), create(b -> b.setNoPivotRoot(true)));
        assertEquals(Options.newBuilder().setNoNewKeyring(true).build(), create(b -> b.setNoNewKeyring(true)));
        assertEquals(Options.newBuilder().setShimCgroup("/shims/a").build(), create(b -> b.setShimCgroup("/shims/a")));
        assertEquals(Options.newBuilder().setIoUid(1000).build(), create(b -> b.setIoUid(1000)));
        assertEquals(Options.newBuilder().setIoGid(1001).build(), create(b -> b.setIoGid(1001)));
        assertEquals(Options.newBuilder().setIoUid(-2).build(), create(b -> b.setIoUid(-2)), "uint32 beyond int range");
        assertEquals(Options.newBuilder().setCriuWorkPath("/w").build(), create(b -> b.setCriuWorkPath("/w")));
        assertEquals(Options.newBuilder().setCriuImagePath("/i").build(), create(b -> b.setCriuImagePath("/i")));
        assertEquals(Options.getDefaultInstance(), create(b -> b));
    }

    @Test
    void runcOptionsFieldsMapOneByOne() {
        assertEquals(Options.newBuilder().setBinaryName("/usr/bin/crun").build(), runc(b -> b.setRuntime("/usr/bin/crun")));
        assertEquals(Options.newBuilder().setRoot("/run/r").build(), runc(b -> b.setRuntimeRoot("/run/r")));
        assertEquals(Options.newBuilder().setCriuPath("/sbin/criu").build(), runc(b -> b.setCriuPath("/sbin/criu")));
        assertEquals(Options.newBuilder().setSystemdCgroup(true).build(), runc(b -> b.setSystemdCgroup(true)));
    }

    @Test
    void prefixedTypeUrlsToo() {
        Any any = any("type.googleapis.com/containerd.linux.runc.CreateOptions", CreateOptions.newBuilder().setIoUid(7).build());
        assertEquals(7, RuncOptionsCodec.fromAny(any).getIoUid());
    }

    /** Bytes as containerd's Go (gogo) marshalling writes CreateOptions{no_pivot_root, shim_cgroup "/x", io_uid 1000, criu_image_path "/i"}. */
    @Test
    void goWireBytesDecodeWithContainerdsFieldNumbers() {
        byte[] go = HexFormat.of().parseHex("0801" + "4a022f78" + "50e807" + "6a022f69");
        Options o = RuncOptionsCodec.fromAny(Any.newBuilder().setTypeUrl("containerd.linux.runc.CreateOptions")
                .setValue(ByteString.copyFrom(go)).build());
        assertEquals(Options.newBuilder().setNoPivotRoot(true).setShimCgroup("/x").setIoUid(1000).setCriuImagePath("/i").build(), o);
        byte[] runc = HexFormat.of().parseHex("0a0463727a6e" + "12022f72" + "1a022f63" + "2001");
        Options r = RuncOptionsCodec.fromAny(Any.newBuilder().setTypeUrl("containerd.linux.runc.RuncOptions")
                .setValue(ByteString.copyFrom(runc)).build());
        assertEquals(Options.newBuilder().setBinaryName("crzn").setRoot("/r").setCriuPath("/c").setSystemdCgroup(true).build(), r);
    }

    @Test
    void restoreFlagsAreIgnoredWithoutACheckpointAsTheV1ShimDid() {
        CreateOptions c = CreateOptions.newBuilder().setOpenTcp(true).setExternalUnixSockets(true).setTerminal(true)
                .setFileLocks(true).addEmptyNamespaces("network").setCgroupsMode("soft").setIoUid(5).build();
        assertEquals(Options.newBuilder().setIoUid(5).build(),
                RuncOptionsCodec.fromAny(any("containerd.linux.runc.CreateOptions", c), false));
    }

    @ParameterizedTest
    @ValueSource(strings = {"open_tcp", "external_unix_sockets", "terminal", "file_locks", "empty_namespaces", "cgroups_mode"})
    void restoreFlagsAreRefusedForARestore(String field) {
        CreateOptions.Builder b = CreateOptions.newBuilder().setCriuImagePath("/i");
        switch (field) {
            case "open_tcp" -> b.setOpenTcp(true);
            case "external_unix_sockets" -> b.setExternalUnixSockets(true);
            case "terminal" -> b.setTerminal(true);
            case "file_locks" -> b.setFileLocks(true);
            case "empty_namespaces" -> b.addEmptyNamespaces("network");
            default -> b.setCgroupsMode("full");
        }
        ShimException e = assertThrows(ShimException.class,
                () -> RuncOptionsCodec.fromAny(any("containerd.linux.runc.CreateOptions", b.build()), true));
        assertEquals(ErrorKind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("containerd.linux.runc.CreateOptions." + field + " is set for a restore"),
                e.getMessage());
        assertTrue(e.getMessage().contains("leave " + field + " unset"), e.getMessage());
    }

    @Test
    void aRestoreWithOnlyPathsIsFine() {
        CreateOptions c = CreateOptions.newBuilder().setCriuImagePath("/i").setCriuWorkPath("/w").build();
        assertEquals("/w", RuncOptionsCodec.fromAny(any("containerd.linux.runc.CreateOptions", c), true).getCriuWorkPath());
    }

    @Test
    void undecodableLegacyBytesAreInvalidArgument() {
        Any any = Any.newBuilder().setTypeUrl("containerd.linux.runc.CreateOptions")
                .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff})).build();
        ShimException e = assertThrows(ShimException.class, () -> RuncOptionsCodec.fromAny(any));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().startsWith("cannot decode runtime options containerd.linux.runc.CreateOptions"), e.getMessage());
    }
}
