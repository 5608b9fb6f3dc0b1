package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.FileTrees;
import io.jrunc.it.harness.JruncGrouping;
import io.jrunc.it.harness.Mounts;
import io.jrunc.it.harness.ScenarioSuite;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.json.Json;
import io.jrunc.proto.services.containers.v1.Container;
import io.jrunc.proto.services.containers.v1.CreateContainerRequest;
import io.jrunc.proto.services.tasks.v1.CloseIORequest;
import io.jrunc.proto.services.tasks.v1.CreateTaskRequest;
import io.jrunc.proto.services.tasks.v1.DeleteTaskRequest;
import io.jrunc.proto.services.tasks.v1.StartRequest;
import io.jrunc.proto.services.tasks.v1.WaitRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A user-namespaced container (uid/gid 0 inside = 1000 on the host, rootfs owned by 1000) with io_uid/io_gid 1000
 * in the task options: its stdio pipes belong to its root, so it can reopen /dev/stdin and /dev/stdout (which needs
 * permission on the pipe itself, not just the inherited fd), its output and exit status 7 arrive. The Go shim takes
 * containerd.runc.v1.Options; jrunc takes that and containerd.linux.runc.CreateOptions (what containerd's client
 * sends with WithUIDOwner/WithGIDOwner to a runtime not named io.containerd.runc*).
 */
class UserNamespaceIT extends ScenarioSuite {
    static final int HOST_ID = 1000;
    static final Duration EXIT = Duration.ofSeconds(30);
    private static Path base;
    private static Path userRootfs;

    @BeforeAll
    static void userRootfs() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "jrunc-userns-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        userRootfs = base.resolve("rootfs");
        Command.run(Duration.ofSeconds(30), List.of("cp", "-a", rootfs.path().toString(), userRootfs.toString())).orThrow();
        Command.run(Duration.ofSeconds(30), List.of("chown", "-R", HOST_ID + ":" + HOST_ID, userRootfs.toString())).orThrow();
    }

    @AfterAll
    static void removeUserRootfs() {
        if (base != null && Mounts.under(base).isEmpty()) {
            FileTrees.deleteRecursively(base);
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(ShimUnderTest.GO, TaskOptions.RUNC_V1),
                Arguments.of(ShimUnderTest.JAVA, TaskOptions.RUNC_V1),
                Arguments.of(ShimUnderTest.JAVA, TaskOptions.CREATE_OPTIONS));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void outputAndExitStatusArriveFromAUserNamespace(ShimUnderTest shim, TaskOptions type) {
        try (ShimScenario s = begin(shim)) {
            String id = "userns";
            s.own(id);
            StdioFifos io = StdioFifos.create(containerd.fifoDir().resolve(s.namespace()), id, true);
            try {
                String script = "read line </dev/stdin; echo \"id=$(id -u):$(id -g) stdout=$(stat -L -c %u:%g /dev/stdout)\""
                        + " >/dev/stdout; echo \"got $line\" >/dev/stdout; echo oops >/dev/stderr; exit 7";
                createContainer(s, id, userNamespaceSpec(s, id, "/bin/sh", "-c", script));
                s.client().tasks().create(CreateTaskRequest.newBuilder().setContainerId(id).setStdin(io.stdinPath())
                        .setStdout(io.stdoutPath()).setStderr(io.stderrPath()).setOptions(type.with(HOST_ID, HOST_ID, ""))
                        .build());
                s.client().tasks().start(StartRequest.newBuilder().setContainerId(id).build());
                io.writeStdin("ping\n");
                s.client().tasks().closeIO(CloseIORequest.newBuilder().setContainerId(id).setStdin(true).build());

                int status = s.client().tasks().withDeadlineAfter(EXIT.toSeconds(), TimeUnit.SECONDS)
                        .wait(WaitRequest.newBuilder().setContainerId(id).build()).getExitStatus();
                assertEquals("id=0:0 stdout=0:0\ngot ping\n", io.awaitStdout(EXIT),
                        "root in the container owns its pipes (host " + HOST_ID + ")");
                assertEquals("oops\n", io.awaitStderr(EXIT));
                assertEquals(7, status);
                s.client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
            } finally {
                io.close();
            }
        }
    }

    /**
     * The control: without io_uid/io_gid the pipes belong to host root, which the container cannot reopen (so the
     * test above shows the options at work, not a lenient kernel). Both shims alike.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(ShimUnderTest.class)
    void withoutIoOwnerTheContainerCannotReopenItsPipes(ShimUnderTest shim) {
        try (ShimScenario s = begin(shim)) {
            String id = "userns-control";
            s.own(id);
            StdioFifos io = StdioFifos.create(containerd.fifoDir().resolve(s.namespace()), id, false);
            try {
                createContainer(s, id, userNamespaceSpec(s, id, "/bin/sh", "-c", "echo out >/dev/stdout; exit 7"));
                s.client().tasks().create(CreateTaskRequest.newBuilder().setContainerId(id).setStdout(io.stdoutPath())
                        .setStderr(io.stderrPath()).build());
                s.client().tasks().start(StartRequest.newBuilder().setContainerId(id).build());
                int status = s.client().tasks().withDeadlineAfter(EXIT.toSeconds(), TimeUnit.SECONDS)
                        .wait(WaitRequest.newBuilder().setContainerId(id).build()).getExitStatus();
                assertEquals("", io.awaitStdout(EXIT));
                String err = io.awaitStderr(EXIT);
                org.junit.jupiter.api.Assertions.assertTrue(err.contains("Permission denied"), err);
                assertEquals(7, status);
                s.client().tasks().delete(DeleteTaskRequest.newBuilder().setContainerId(id).build());
            } finally {
                io.close();
            }
        }
    }

    static void createContainer(ShimScenario s, String id, Any spec) {
        s.client().containers().create(CreateContainerRequest.newBuilder().setContainer(Container.newBuilder().setId(id)
                .setRuntime(Container.Runtime.newBuilder().setName(s.shim().runtime())).setSpec(spec)).build());
    }

    /**
     * The conformance busybox spec plus a user namespace mapping 0-65535 to 1000-66535, on the rootfs owned by 1000,
     * without the sysfs and cgroup mounts (not needed here; a user namespace makes them host-dependent).
     */
    @SuppressWarnings("unchecked")
    private static Any userNamespaceSpec(ShimScenario s, String id, String... args) {
        OciSpec base = new OciSpec(userRootfs, "/" + s.namespace() + "/" + id, List.of(args), groupingAnnotations(s));
        Map<String, Object> spec = new LinkedHashMap<>(Json.parseObject(base.toJson()));
        List<Object> mounts = new ArrayList<>((List<Object>) spec.get("mounts"));
        mounts.removeIf(m -> List.of("/sys", "/sys/fs/cgroup").contains(((Map<String, Object>) m).get("destination")));
        spec.put("mounts", mounts);
        Map<String, Object> linux = new LinkedHashMap<>((Map<String, Object>) spec.get("linux"));
        List<Object> namespaces = new ArrayList<>((List<Object>) linux.get("namespaces"));
        namespaces.add(Map.of("type", "user"));
        linux.put("namespaces", namespaces);
        List<Map<String, Object>> mapping = List.of(Map.of("containerID", 0L, "hostID", (long) HOST_ID, "size", 65536L));
        linux.put("uidMappings", mapping);
        linux.put("gidMappings", mapping);
        spec.put("linux", linux);
        return Any.newBuilder().setTypeUrl(OciSpec.SPEC_TYPE).setValue(ByteString.copyFromUtf8(Json.write(spec))).build();
    }

    /** The JAVA shim's grouping of this run, as {@link CellRun#spec} gives it. */
    static Map<String, String> groupingAnnotations(ShimScenario s) {
        if (s.shim() != ShimUnderTest.JAVA || JruncGrouping.mode().isEmpty()) {
            return Map.of();
        }
        return Map.of(JruncGrouping.GROUPING_ANNOTATION, JruncGrouping.mode(),
                JruncGrouping.LINGER_ANNOTATION, System.getProperty(JruncGrouping.LINGER_PROPERTY, "1s"));
    }
}
