package io.jrunc.it.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jrunc.it.harness.Cgroups;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.services.tasks.v1.UpdateTaskRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Update through the Tasks API reaches the container's cgroup; a stopped task refuses it the same way. */
class UpdateIT extends ExecScenarios {
    private static final String RESOURCES_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";
    private static final long LIMIT = 64L << 20;

    private static UpdateTaskRequest memoryLimit(String id, long bytes) {
        String json = "{\"memory\":{\"limit\":" + bytes + "}}";
        return UpdateTaskRequest.newBuilder().setContainerId(id)
                .setResources(Any.newBuilder().setTypeUrl(RESOURCES_TYPE).setValue(ByteString.copyFromUtf8(json)))
                .build();
    }

    /** memory.limit_in_bytes (cgroup v1) or memory.max (v2) of the container. */
    private static Path memoryLimitFile(ShimScenario s, String id) {
        for (Path dir : Cgroups.ofContainer(s.namespace(), id)) {
            for (String name : new String[] {"memory.limit_in_bytes", "memory.max"}) {
                if (Files.exists(dir.resolve(name))) {
                    return dir.resolve(name);
                }
            }
        }
        throw new AssertionError("no memory cgroup for " + s.namespace() + "/" + id + " in " + Cgroups.hierarchies());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void aNewMemoryLimitShowsInTheCgroupAndAStoppedTaskRefusesUpdates(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            s.runDetached("mem", "/bin/sleep", "300");
            Path limit = memoryLimitFile(s, "mem");
            assertTrue(Long.parseLong(Files.readString(limit).strip()) > LIMIT, "unlimited before: " + Files.readString(limit));

            s.client().tasks().update(memoryLimit("mem", LIMIT));

            assertEquals(LIMIT, Long.parseLong(Files.readString(limit).strip()), limit.toString());

            s.ctr().ok("task", "kill", "-s", "SIGKILL", "mem");
            s.awaitStopped("mem", Duration.ofSeconds(20));
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> s.client().tasks().update(memoryLimit("mem", LIMIT)));
            assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode(), e::toString);
            assertTrue(e.getStatus().getDescription().contains("cannot update a stopped container"), e::toString);
        }
    }
}
