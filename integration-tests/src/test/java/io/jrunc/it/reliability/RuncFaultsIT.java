package io.jrunc.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.grpc.StatusRuntimeException;
import io.jrunc.it.conformance.OciSpec;
import io.jrunc.it.harness.Cgroups;
import io.jrunc.it.harness.FileTrees;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.proto.services.containers.v1.Container;
import io.jrunc.proto.services.containers.v1.CreateContainerRequest;
import io.jrunc.proto.services.tasks.v1.CreateTaskRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * runc itself fails: killed in the middle of a create, missing, not executable. The container's runtime
 * options name the binary ({@code BinaryName}, what {@code ctr run --runc-binary} sets for the Go shim), so the
 * fault touches that one container; the same gRPC calls a client library makes report what the user sees.
 */
class RuncFaultsIT extends FaultScenarios {
    private static final Path REAL_RUNC = Path.of("/usr/sbin/runc");
    private static Path tools;

    @BeforeAll
    static void makeTools() throws Exception {
        tools = Files.createTempDirectory(Path.of("/tmp"), "jrunc-runc-faults-");
        // A runc that runs the real one, but after a create has succeeded announces its pid and waits to be
        // killed: the shim sees runc die of SIGKILL with the container created (runc init waiting to start).
        Path wrapper = tools.resolve("runc-killed-in-create");
        Files.writeString(wrapper, """
                #!/bin/sh
                case " $* " in
                  *" create "*)
                    %s "$@" || exit $?
                    echo $$ > %s/create.pid
                    exec sleep 60 ;;
                esac
                exec %s "$@"
                """.formatted(REAL_RUNC, tools, REAL_RUNC));
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path plain = tools.resolve("runc-not-executable");
        Files.copy(REAL_RUNC, plain);
        Files.setPosixFilePermissions(plain, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterAll
    static void removeTools() {
        if (tools != null) {
            FileTrees.deleteRecursively(tools);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void runcKilledInTheMiddleOfCreate(ShimUnderTest shim) throws Exception {
        String id = "midcreate";
        Path pidFile = tools.resolve("create.pid");
        Files.deleteIfExists(pidFile);
        try (ShimScenario s = begin(shim)) {
            createContainer(s, id, tools.resolve("runc-killed-in-create"), "/bin/sleep", "300");
            CompletableFuture<Object> create = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.client().tasks().withDeadlineAfter(60, TimeUnit.SECONDS)
                            .create(CreateTaskRequest.newBuilder().setContainerId(id).build());
                } catch (StatusRuntimeException e) {
                    return e;
                }
            });
            Poll.require(SETTLE, () -> Files.exists(pidFile) && readPid(pidFile) > 0, () -> "runc create to finish in " + id);
            long runcPid = readPid(pidFile);
            ProcessHandle.of(runcPid).orElseThrow().destroyForcibly();

            Object outcome = create.get(60, TimeUnit.SECONDS);
            assertTrue(outcome instanceof StatusRuntimeException, "Tasks.Create must fail when runc dies: " + outcome);
            StatusRuntimeException failed = (StatusRuntimeException) outcome;
            FaultLog.record("runc-killed-mid-create", shim, failed.getStatus().getCode() + " " + failed.getStatus().getDescription());
            assertNoTask(s, id);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void runcBinaryMissing(ShimUnderTest shim) {
        String id = "no-runc";
        try (ShimScenario s = begin(shim)) {
            createContainer(s, id, tools.resolve("no-such-runc"), "/bin/sleep", "300");
            StatusRuntimeException failed = createFails(s, id);
            FaultLog.record("runc-missing", shim, failed.getStatus().getCode() + " " + failed.getStatus().getDescription());
            assertTrue(failed.getStatus().getDescription().contains("no-such-runc"), "the message names the binary: " + failed);
            assertNoTask(s, id);
            healthyAfterwards(s);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void runcBinaryNotExecutable(ShimUnderTest shim) {
        String id = "runc-0644";
        try (ShimScenario s = begin(shim)) {
            createContainer(s, id, tools.resolve("runc-not-executable"), "/bin/sleep", "300");
            StatusRuntimeException failed = createFails(s, id);
            FaultLog.record("runc-not-executable", shim, failed.getStatus().getCode() + " " + failed.getStatus().getDescription());
            assertTrue(failed.getStatus().getDescription().contains("runc-not-executable"), "the message names the binary: " + failed);
            assertNoTask(s, id);
            healthyAfterwards(s);
        }
    }

    /** Containers.Create with the busybox spec and runtime options naming {@code runc} as the runc binary. */
    private static void createContainer(ShimScenario s, String id, Path runc, String... args) {
        s.own(id);
        Options options = Options.newBuilder().setBinaryName(runc.toString()).build();
        Container container = Container.newBuilder()
                .setId(id)
                .setRuntime(Container.Runtime.newBuilder().setName(s.shim().runtime())
                        .setOptions(Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(options.toByteString())))
                .setSpec(OciSpec.busybox(rootfs.path(), s.namespace(), id, args).toAny())
                .build();
        s.client().containers().create(CreateContainerRequest.newBuilder().setContainer(container).build());
    }

    private static StatusRuntimeException createFails(ShimScenario s, String id) {
        try {
            var created = s.client().tasks().withDeadlineAfter(60, TimeUnit.SECONDS)
                    .create(CreateTaskRequest.newBuilder().setContainerId(id).build());
            throw new AssertionError("Tasks.Create succeeded without a usable runc: " + created);
        } catch (StatusRuntimeException e) {
            return e;
        }
    }

    /** containerd has no task for {@code id}, runc has no state and the container has no cgroup or process. */
    private static void assertNoTask(ShimScenario s, String id) {
        assertFalse(s.ctr().task(id).isPresent(), "a failed create leaves no task: " + s.ctr().tasks());
        Path runcState = PrivateContainerd.RUNC_ROOT.resolve(s.namespace()).resolve(id);
        Poll.require(SETTLE, () -> !Files.exists(runcState) && Cgroups.ofContainer(s.namespace(), id).isEmpty(),
                () -> "runc state " + runcState + " and cgroups " + Cgroups.ofContainer(s.namespace(), id) + " of " + id + " removed");
    }

    /** A container with the default runc in the same namespace runs and reports its exit code. */
    private static void healthyAfterwards(ShimScenario s) {
        var r = s.runForeground("after", "/bin/sh", "-c", "echo fine; exit 4");
        assertEquals(4, r.exitCode(), r::describe);
        assertEquals("fine\n", r.stdout(), r::describe);
    }

    private static long readPid(Path file) {
        try {
            String text = Files.readString(file).strip();
            return text.isEmpty() ? -1 : Long.parseLong(text);
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
    }
}
