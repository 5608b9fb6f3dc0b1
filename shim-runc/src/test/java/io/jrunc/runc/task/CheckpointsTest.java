package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.jrunc.proto.task.v2.CheckpointTaskRequest;
import io.jrunc.runc.cli.CriuOptions;
import io.jrunc.runc.process.CheckpointPlan;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checkpoint options in both types: containerd.runc.v1 and the older containerd.linux.runc (other field numbers). */
class CheckpointsTest {
    private static final Path BUNDLE = Path.of("/run/b");

    private static CheckpointPlan plan(String typeUrl, Message options) {
        return Checkpoints.plan(CheckpointTaskRequest.newBuilder().setId("c1").setPath("/images")
                .setOptions(Any.newBuilder().setTypeUrl(typeUrl).setValue(options.toByteString())).build(), BUNDLE);
    }

    @Test
    void legacyCheckpointOptionsMapFieldByField() {
        CheckpointPlan plan = plan("containerd.linux.runc.CheckpointOptions", io.jrunc.proto.linux.runc.CheckpointOptions
                .newBuilder().setExit(true).setOpenTcp(true).setExternalUnixSockets(true).setTerminal(true).setFileLocks(true)
                .addEmptyNamespaces("network").setCgroupsMode("soft").setWorkPath("/work").setImagePath("/ignored").build());
        assertEquals(new CriuOptions("/images", "/work", "", true, true, true, true, "soft", List.of("network")), plan.criu());
        assertTrue(plan.exit());
        assertFalse(plan.removeWorkDir());
    }

    @Test
    void bothTypesGiveTheSamePlan() {
        CheckpointPlan legacy = plan("containerd.linux.runc.CheckpointOptions",
                io.jrunc.proto.linux.runc.CheckpointOptions.newBuilder().setOpenTcp(true).setWorkPath("/w").build());
        CheckpointPlan v1 = plan("containerd.runc.v1.CheckpointOptions",
                io.jrunc.proto.runc.v1.CheckpointOptions.newBuilder().setOpenTcp(true).setWorkPath("/w").build());
        assertEquals(v1, legacy);
    }

    @Test
    void otherTypesAreInvalidArgument() {
        ShimException e = assertThrows(ShimException.class, () -> plan("containerd.runc.v1.Options",
                io.jrunc.proto.runc.v1.Options.getDefaultInstance()));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("containerd.linux.runc.CheckpointOptions"), e.getMessage());
    }
}
