package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.proto.services.tasks.v1.UpdateTaskRequest;
import java.nio.file.Path;

/** Tasks.Update with a LinuxResources memory limit reaches the container's memory cgroup. */
final class UpdateScenario implements ConformanceScenario {
    private static final long LIMIT = 48L << 20;

    @Override
    public String name() {
        return "update";
    }

    @Override
    public String summary() {
        return "Update memory limit 48 MiB: the cgroup's limit follows";
    }

    @Override
    public void run(CellRun run) {
        String id = "update";
        run.run(id, "/bin/sleep", "300");
        Path limit = ContainerCgroup.file(run, id, "memory.limit_in_bytes", "memory.max");
        String before = ContainerCgroup.read(limit);
        assertTrue(before.equals("max") || Long.parseLong(before) > LIMIT, "unlimited before: " + before);

        run.client().tasks().update(UpdateTaskRequest.newBuilder().setContainerId(id)
                .setResources(OciSpec.memoryLimit(LIMIT)).build());

        assertEquals(Long.toString(LIMIT), ContainerCgroup.read(limit), limit.toString());
    }
}
