package io.jrunc.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.it.conformance.OciSpec;
import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.services.containers.v1.Container;
import io.jrunc.proto.services.containers.v1.CreateContainerRequest;
import io.jrunc.proto.services.tasks.v1.CreateTaskRequest;
import io.jrunc.proto.services.tasks.v1.StartRequest;
import io.jrunc.proto.services.tasks.v1.WaitRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client opens the read end of its stdout fifo late (ctr and containerd's cio open it in a goroutine
 * that a busy node may schedule after the container has run): the output the container wrote must still reach
 * it. The Go shim opens the fifo write-only, which waits for the reader, so its Tasks.Create returns only once
 * the client reads. This is the mechanism behind an output loss the churn soak saw once in 1200 JAVA lifecycles.
 */
class LateStdoutReaderIT extends FaultScenarios {

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void outputWrittenBeforeTheClientOpensItsFifoIsDelivered(ShimUnderTest shim) throws Exception {
        String id = "late-reader";
        try (ShimScenario s = begin(shim)) {
            Path dir = Files.createDirectories(containerd.fifoDir().resolve(s.namespace()));
            Path stdout = dir.resolve(id + "-stdout");
            Path stderr = dir.resolve(id + "-stderr");
            Command.run(Duration.ofSeconds(10), List.of("mkfifo", stdout.toString(), stderr.toString())).orThrow();
            try {
                // The JAVA namespace daemon is up already (its first start runs a JVM), as on a busy node.
                s.runDetached("keeper", "/bin/sleep", "300");
                s.own(id);
                s.client().containers().create(CreateContainerRequest.newBuilder().setContainer(Container.newBuilder()
                        .setId(id)
                        .setRuntime(Container.Runtime.newBuilder().setName(shim.runtime()))
                        .setSpec(OciSpec.busybox(rootfs.path(), s.namespace(), id, "/bin/echo", "written-early").toAny())).build());
                CompletableFuture<Integer> create = CompletableFuture.supplyAsync(() -> s.client().tasks()
                        .withDeadlineAfter(60, TimeUnit.SECONDS)
                        .create(CreateTaskRequest.newBuilder().setContainerId(id).setStdout(stdout.toString()).setStderr(stderr.toString()).build()).getPid());
                boolean createdWithoutReader;
                try {
                    create.get(3, TimeUnit.SECONDS);
                    createdWithoutReader = true;
                } catch (java.util.concurrent.TimeoutException e) {
                    createdWithoutReader = false;
                }
                int exit = -1;
                if (createdWithoutReader) {
                    // The shim did not wait for a reader: let the container run and exit before the client reads.
                    exit = startAndWait(s, id);
                }
                Command.Background reader = Command.start(List.of("timeout", "10", "cat", stdout.toString()));
                Command.Background errReader = Command.start(List.of("timeout", "10", "cat", stderr.toString()));
                if (!createdWithoutReader) {
                    create.get(30, TimeUnit.SECONDS);
                    exit = startAndWait(s, id);
                }
                CommandResult read = reader.await(Duration.ofSeconds(30));
                errReader.await(Duration.ofSeconds(30));
                FaultLog.record("stdout-reader-opens-late", shim, (createdWithoutReader
                        ? "Create returned without a reader; the container ran and exited (" + exit + ") before the reader opened"
                        : "Create waited for the reader") + "; the reader got \"" + read.stdout().replace("\n", "\\n") + "\"");
                assertEquals(0, exit);
                assertEquals("written-early\n", read.stdout(), "what the late reader got: " + read.describe());
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        }
    }

    private static int startAndWait(ShimScenario s, String id) {
        s.client().tasks().start(StartRequest.newBuilder().setContainerId(id).build());
        return s.client().tasks().withDeadlineAfter(30, TimeUnit.SECONDS)
                .wait(WaitRequest.newBuilder().setContainerId(id).build()).getExitStatus();
    }
}
