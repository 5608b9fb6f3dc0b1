package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.grpc.StatusRuntimeException;
import io.jrunc.it.harness.JruncGrouping;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ScenarioSuite;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.services.tasks.v1.CreateTaskRequest;
import io.jrunc.proto.services.tasks.v1.StartRequest;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * shim_cgroup in the task options (ctr's and the Go client's WithShimCgroup): the shim daemon serving the task runs
 * in that cgroup (every v1 hierarchy, or the v2 tree), its container does not. The Go shim gets
 * containerd.runc.v1.Options, jrunc also containerd.linux.runc.CreateOptions. With jrunc's namespace grouping,
 * containers asking for different shim cgroups get different daemons, the same cgroup the same daemon.
 */
class ShimCgroupIT extends ScenarioSuite {

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of(ShimUnderTest.GO, TaskOptions.RUNC_V1),
                Arguments.of(ShimUnderTest.JAVA, TaskOptions.CREATE_OPTIONS),
                Arguments.of(ShimUnderTest.JAVA, TaskOptions.RUNC_V1));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void theDaemonRunsInTheShimCgroup(ShimUnderTest shim, TaskOptions type) {
        try (ShimCgroupDir cgroup = ShimCgroupDir.create(); ShimScenario s = begin(shim)) {
            long init = run(s, "c1", Map.of(), type.with(0, 0, cgroup.path()));
            long daemon = daemonOf(init);
            assertTrue(cgroup.holds(daemon), "daemon " + daemon + " in " + cgroup.path() + ": " + ShimCgroupDir.cgroupsOf(daemon));
            assertFalse(cgroup.touches(init), "the container keeps its own cgroup: " + ShimCgroupDir.cgroupsOf(init));
        }
    }

    /** GO: one daemon per container, each where it asked. JAVA (namespace grouping): daemons split by shim cgroup. */
    @ParameterizedTest
    @EnumSource(ShimUnderTest.class)
    void aSharedDaemonOnlyServesContainersOfItsCgroup(ShimUnderTest shim) {
        Map<String, String> namespaceGrouping = shim == ShimUnderTest.JAVA
                ? Map.of(JruncGrouping.GROUPING_ANNOTATION, "namespace", JruncGrouping.LINGER_ANNOTATION, "1s") : Map.of();
        TaskOptions second = shim == ShimUnderTest.JAVA ? TaskOptions.CREATE_OPTIONS : TaskOptions.RUNC_V1;
        try (ShimCgroupDir cgroup = ShimCgroupDir.create(); ShimScenario s = begin(shim)) {
            long plain = daemonOf(run(s, "plain", namespaceGrouping, null));
            long first = daemonOf(run(s, "first", namespaceGrouping, TaskOptions.RUNC_V1.with(0, 0, cgroup.path())));
            long again = daemonOf(run(s, "again", namespaceGrouping, second.with(0, 0, cgroup.path())));
            long none = daemonOf(run(s, "none", namespaceGrouping, TaskOptions.RUNC_V1.with(0, 0, "")));

            assertFalse(cgroup.touches(plain), "no shim cgroup asked for: " + ShimCgroupDir.cgroupsOf(plain));
            assertFalse(cgroup.touches(none), "empty shim cgroup: " + ShimCgroupDir.cgroupsOf(none));
            assertTrue(cgroup.holds(first), ShimCgroupDir.cgroupsOf(first).toString());
            assertTrue(cgroup.holds(again), ShimCgroupDir.cgroupsOf(again).toString());
            assertNotEquals(plain, first, "a daemon outside the cgroup never serves a container that asked for it");
            if (shim == ShimUnderTest.JAVA) {
                assertEquals(first, again, "the same cgroup, whatever the options type: the same namespace daemon");
                assertEquals(plain, none, "no cgroup and an empty one: the plain namespace daemon");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ShimUnderTest.class)
    void aMissingCgroupFailsTheTask(ShimUnderTest shim) {
        try (ShimScenario s = begin(shim)) {
            String missing = "/jrunc-it-no-such-cgroup";
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> run(s, "c1", Map.of(), TaskOptions.RUNC_V1.with(0, 0, missing)));
            assertTrue(e.getMessage().contains(missing), e.getMessage());
        }
    }

    /** Creates and starts container {@code id} (busybox sleep) with {@code options} (null: none); returns its pid. */
    private static long run(ShimScenario s, String id, Map<String, String> annotations, Any options) {
        s.own(id);
        Map<String, String> all = new HashMap<>(UserNamespaceIT.groupingAnnotations(s));
        all.putAll(annotations);
        OciSpec spec = OciSpec.busybox(rootfs.path(), s.namespace(), id, "/bin/sleep", "300").withAnnotations(all);
        UserNamespaceIT.createContainer(s, id, spec.toAny());
        CreateTaskRequest.Builder create = CreateTaskRequest.newBuilder().setContainerId(id);
        if (options != null) {
            create.setOptions(options);
        }
        s.client().tasks().create(create.build());
        return s.client().tasks().start(StartRequest.newBuilder().setContainerId(id).build()).getPid();
    }

    /** The shim daemon serving a container: its init's parent (the daemon is the child subreaper). */
    private static long daemonOf(long init) {
        return Procs.stat(init).orElseThrow(() -> new AssertionError("init " + init + " is gone")).ppid();
    }
}
