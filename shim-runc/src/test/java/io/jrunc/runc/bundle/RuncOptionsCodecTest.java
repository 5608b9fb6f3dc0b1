package io.jrunc.runc.bundle;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import org.junit.jupiter.api.Test;

class RuncOptionsCodecTest {
    private static final Options SAMPLE = Options.newBuilder()
            .setBinaryName("/usr/sbin/runc").setRoot("/run/x").setSystemdCgroup(true).setIoUid(1000).build();

    @Test
    void bareTypeUrlAsContainerd16SendsIt() {
        Any any = Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(SAMPLE.toByteString()).build();
        assertEquals(SAMPLE, RuncOptionsCodec.fromAny(any));
    }

    @Test
    void prefixedTypeUrlToo() {
        Any any = Any.newBuilder().setTypeUrl("type.googleapis.com/containerd.runc.v1.Options")
                .setValue(SAMPLE.toByteString()).build();
        assertEquals(SAMPLE, RuncOptionsCodec.fromAny(any));
    }

    @Test
    void noOptionsMeansDefaults() {
        assertEquals(Options.getDefaultInstance(), RuncOptionsCodec.fromAny(null));
        assertEquals(Options.getDefaultInstance(), RuncOptionsCodec.fromAny(Any.getDefaultInstance()));
    }

    @Test
    void otherTypeIsInvalidArgument() {
        Any any = Any.newBuilder().setTypeUrl("runtimeoptions.v1.Options").build();
        ShimException e = assertThrows(ShimException.class, () -> RuncOptionsCodec.fromAny(any));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("unsupported runtime options type 'runtimeoptions.v1.Options': this shim takes "
                + "containerd.runc.v1.Options, containerd.linux.runc.CreateOptions, containerd.linux.runc.RuncOptions",
                e.getMessage());
    }

    @Test
    void undecodableBytesAreInvalidArgument() {
        Any any = Any.newBuilder().setTypeUrl("containerd.runc.v1.Options")
                .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff})).build();
        assertEquals(ErrorKind.INVALID_ARGUMENT,
                assertThrows(ShimException.class, () -> RuncOptionsCodec.fromAny(any)).kind());
    }

    @Test
    void jsonLeavesOutUnsetFieldsLikeGo() {
        assertEquals("{}", RuncOptionsCodec.toJson(Options.getDefaultInstance()));
        assertEquals("{\"io_uid\":1000,\"binary_name\":\"/usr/sbin/runc\",\"root\":\"/run/x\",\"systemd_cgroup\":true}",
                RuncOptionsCodec.toJson(SAMPLE));
    }

    @Test
    void jsonRoundTripIncludingLargeUnsignedIds() {
        Options all = Options.newBuilder().setNoPivotRoot(true).setNoNewKeyring(true).setShimCgroup("/s")
                .setIoUid(-2).setIoGid(65534).setBinaryName("b").setRoot("r").setCriuPath("c")
                .setSystemdCgroup(true).setCriuImagePath("i").setCriuWorkPath("w").build();
        String json = RuncOptionsCodec.toJson(all);
        assertTrue(json.contains("\"io_uid\":4294967294"), json);
        assertEquals(all, RuncOptionsCodec.fromJson(json));
    }

    @Test
    void goWrittenOptionsJsonIsRead() {
        Options o = RuncOptionsCodec.fromJson("{\"binary_name\":\"crun\",\"root\":\"/r\",\"unknown_future\":1}");
        assertEquals("crun", o.getBinaryName());
        assertEquals("/r", o.getRoot());
        assertThrows(IllegalArgumentException.class, () -> RuncOptionsCodec.fromJson("{\"root\":5}"));
    }
}
