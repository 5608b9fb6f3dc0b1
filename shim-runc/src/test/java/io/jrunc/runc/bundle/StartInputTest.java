package io.jrunc.runc.bundle;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.jrunc.proto.linux.runc.CreateOptions;
import io.jrunc.proto.linux.runc.RuncOptions;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.proto.runtime.bootstrap.v1.BootstrapParams;
import io.jrunc.proto.runtime.bootstrap.v1.Extension;
import org.junit.jupiter.api.Test;

class StartInputTest {
    private static Any any(String typeUrl, Message m) {
        return Any.newBuilder().setTypeUrl(typeUrl).setValue(m.toByteString()).build();
    }

    @Test
    void nothingOnStdinNamesNoCgroup() {
        assertEquals("", StartInput.shimCgroup(new byte[0]));
    }

    @Test
    void eachAcceptedTypeGivesItsShimCgroup() {
        assertEquals("/a", StartInput.shimCgroup(any("containerd.runc.v1.Options",
                Options.newBuilder().setShimCgroup("/a").build()).toByteArray()));
        assertEquals("/b", StartInput.shimCgroup(any("containerd.linux.runc.CreateOptions",
                CreateOptions.newBuilder().setShimCgroup("/b").setIoUid(3).build()).toByteArray()));
        assertEquals("", StartInput.shimCgroup(any("containerd.linux.runc.RuncOptions",
                RuncOptions.newBuilder().setRuntime("runc").build()).toByteArray()));
    }

    @Test
    void restoreFlagsDoNotMatterHere() {
        assertEquals("/b", StartInput.shimCgroup(any("containerd.linux.runc.CreateOptions",
                CreateOptions.newBuilder().setShimCgroup("/b").setOpenTcp(true).build()).toByteArray()));
    }

    @Test
    void otherTypesLikeCrisRuntimeOptionsNameNone() {
        assertEquals("", StartInput.shimCgroup(any("runtimeoptions.v1.Options",
                Options.newBuilder().setShimCgroup("/not-ours").build()).toByteArray()));
    }

    @Test
    void anotherRuntimesAnyWithBinaryValueIsNotMistakenForBootstrapParams() {
        byte[] input = Any.newBuilder().setTypeUrl("runtimeoptions.v1.Options")
                .setValue(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 0xc3, 0x28, (byte) 0xff})).build().toByteArray();
        assertEquals("", StartInput.shimCgroup(input));
    }

    @Test
    void bootstrapParamsCarryTheOptionsInAnExtension() {
        BootstrapParams params = BootstrapParams.newBuilder().setInstanceId("c1").setNamespace("ns").setLogLevelValue(-4)
                .addExtensions(Extension.newBuilder().setValue(any("other.Type", Options.getDefaultInstance())))
                .addExtensions(Extension.newBuilder().setValue(any("containerd.runc.v1.Options",
                        Options.newBuilder().setShimCgroup("/c").build())))
                .build();
        assertEquals("/c", StartInput.shimCgroup(params.toByteArray()));
        assertEquals("", StartInput.shimCgroup(BootstrapParams.newBuilder().setInstanceId("c1").build().toByteArray()));
    }

    @Test
    void garbageFailsWithWhatItIs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StartInput.shimCgroup(new byte[] {(byte) 0xff, (byte) 0xff}));
        assertTrue(e.getMessage().startsWith("cannot decode start's stdin (2 bytes)"), e.getMessage());
    }
}
