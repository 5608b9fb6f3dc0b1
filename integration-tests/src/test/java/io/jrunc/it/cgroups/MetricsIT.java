package io.jrunc.it.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.services.tasks.v1.ListPidsRequest;
import io.jrunc.proto.services.tasks.v1.MetricsRequest;
import io.jrunc.proto.services.tasks.v1.MetricsResponse;
import io.jrunc.proto.types.Metric;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Task metrics as containerd's clients read them: Tasks.Metrics (what CRI uses) with the cgroup Metrics
 * in an Any whose bare type URL names the cgroup version, and {@code ctr task metrics}. The values must be
 * plausible for a running shell; the shape (which sections are present) must be the Go shim's.
 */
class MetricsIT extends CgroupScenarios {
    private static final Duration READY = Duration.ofSeconds(20);
    /** Burns some CPU, then waits; two processes (sh and its sleep) while waiting. */
    private static final String BUSY_THEN_WAIT = "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 300 & wait";

    private static Any metricsOf(ShimScenario s, String id) {
        MetricsResponse response = s.client().tasks().metrics(MetricsRequest.newBuilder().addFilters("id==" + id).build());
        assertEquals(1, response.getMetricsCount(), response::toString);
        Metric metric = response.getMetrics(0);
        assertEquals(id, metric.getId(), metric::toString);
        assertTrue(metric.hasTimestamp(), metric::toString);
        return metric.getData();
    }

    private static Message decode(Any data) throws InvalidProtocolBufferException {
        return switch (data.getTypeUrl()) {
            case "io.containerd.cgroups.v1.Metrics" -> io.jrunc.proto.cgroups.v1.Metrics.parseFrom(data.getValue());
            case "io.containerd.cgroups.v2.Metrics" -> io.jrunc.proto.cgroups.v2.Metrics.parseFrom(data.getValue());
            default -> throw new AssertionError("unexpected metrics type URL '" + data.getTypeUrl() + "'");
        };
    }

    private static long startBusyTask(ShimScenario s, String id) {
        long pid = s.runDetached(id, "/bin/sh", "-c", BUSY_THEN_WAIT);
        Poll.require(READY, () -> s.client().tasks().listPids(ListPidsRequest.newBuilder().setContainerId(id).build())
                .getProcessesCount() >= 2, () -> "sh to reach its sleep in " + id);
        return pid;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void metricsOfARunningTaskArePlausible(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            String id = "metrics";
            startBusyTask(s, id);

            Any data = metricsOf(s, id);

            assertEquals(expectedMetricsType(), data.getTypeUrl());
            switch (decode(data)) {
                case io.jrunc.proto.cgroups.v1.Metrics m -> {
                    assertTrue(m.getMemory().getUsage().getUsage() > 0, () -> "memory usage: " + m.getMemory());
                    assertTrue(m.getMemory().getUsage().getLimit() > 0, () -> "memory limit (unlimited is huge): " + m.getMemory());
                    assertTrue(m.getMemory().getTotalRss() > 0 || m.getMemory().getTotalCache() > 0, () -> "memory.stat: " + m.getMemory());
                    assertTrue(m.getMemory().getTotalPgFault() > 0, () -> "page faults: " + m.getMemory());
                    assertTrue(m.getCpu().getUsage().getTotal() > 0, () -> "cpu: " + m.getCpu());
                    assertTrue(m.getCpu().getUsage().getPerCpuCount() >= 1, () -> "per-cpu usage: " + m.getCpu());
                    assertEquals(2, m.getPids().getCurrent(), () -> "sh and sleep: " + m.getPids());
                    assertTrue(m.hasMemoryOomControl(), m::toString);
                }
                case io.jrunc.proto.cgroups.v2.Metrics m -> {
                    assertTrue(m.getMemory().getUsage() > 0, () -> "memory usage: " + m.getMemory());
                    assertTrue(m.getMemory().getAnon() > 0 || m.getMemory().getFile() > 0, () -> "memory.stat: " + m.getMemory());
                    assertTrue(m.getCpu().getUsageUsec() > 0, () -> "cpu: " + m.getCpu());
                    assertEquals(2, m.getPids().getCurrent(), () -> "sh and sleep: " + m.getPids());
                }
                default -> throw new AssertionError("not a cgroup Metrics message");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void ctrTaskMetricsPrintsTheCgroupTable(ShimUnderTest shim) {
        try (ShimScenario s = begin(shim)) {
            String id = "ctr-metrics";
            startBusyTask(s, id);

            CommandResult table = s.ctr().ok("task", "metrics", id);

            Map<String, String> rows = tableRows(table.stdout());
            for (String name : unifiedHost()
                    ? new String[] {"pids.current", "cpu.usage_usec", "memory.usage", "memory.usage_limit"}
                    : new String[] {"memory.usage_in_bytes", "memory.limit_in_bytes", "cpuacct.usage", "pids.current"}) {
                assertTrue(rows.containsKey(name), () -> name + " missing from:\n" + table.stdout());
            }
            assertEquals("2", rows.get("pids.current"), table::describe);
            String usage = rows.get(unifiedHost() ? "memory.usage" : "memory.usage_in_bytes");
            assertTrue(Long.parseLong(usage) > 0, table::describe);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void aStoppedTaskStillHasMetricsUntilDeleted(ShimUnderTest shim) throws Exception {
        String id = "stopped";
        try (ShimScenario s = begin(shim); OwnContainer c = new OwnContainer(s, id)) {
            c.run(java.util.List.of("-d", "--null-io"), "/bin/true").orThrow();
            s.awaitStopped(id, READY);

            Any data = metricsOf(s, id);

            assertEquals(expectedMetricsType(), data.getTypeUrl());
            switch (decode(data)) {
                case io.jrunc.proto.cgroups.v1.Metrics m -> assertEquals(0, m.getPids().getCurrent(), m::toString);
                case io.jrunc.proto.cgroups.v2.Metrics m -> assertEquals(0, m.getPids().getCurrent(), m::toString);
                default -> throw new AssertionError("not a cgroup Metrics message");
            }
        }
    }

    /** Same sections and table rows from both shims for the same container (values differ, shape must not). */
    @Test
    void shapeMatchesTheGoShim() throws Exception {
        Map<ShimUnderTest, Set<String>> sections = new java.util.EnumMap<>(ShimUnderTest.class);
        Map<ShimUnderTest, Set<String>> rows = new java.util.EnumMap<>(ShimUnderTest.class);
        for (ShimUnderTest shim : ShimUnderTest.values()) {
            try (ShimScenario s = begin(shim)) {
                String id = "shape";
                startBusyTask(s, id);
                Any data = metricsOf(s, id);
                sections.put(shim, presentSections(decode(data), ""));
                rows.put(shim, tableRows(s.ctr().ok("task", "metrics", id).stdout()).keySet());
            }
        }
        assertEquals(sections.get(ShimUnderTest.GO), sections.get(ShimUnderTest.JAVA), "Metrics sections (GO, JAVA)");
        assertEquals(rows.get(ShimUnderTest.GO), rows.get(ShimUnderTest.JAVA), "ctr task metrics rows (GO, JAVA)");
    }

    /** The paths of the singular message fields set in {@code m}, recursively: the sections a reader can rely on. */
    private static Set<String> presentSections(Message m, String prefix) {
        Set<String> paths = new TreeSet<>();
        for (Map.Entry<FieldDescriptor, Object> field : m.getAllFields().entrySet()) {
            FieldDescriptor d = field.getKey();
            if (d.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !d.isRepeated()) {
                String path = prefix + d.getName();
                paths.add(path);
                paths.addAll(presentSections((Message) field.getValue(), path + "."));
            }
        }
        return paths;
    }

    /** "METRIC VALUE" rows of ctr's table (after the ID/TIMESTAMP header block). */
    private static Map<String, String> tableRows(String stdout) {
        String body = stdout.substring(Math.max(0, stdout.indexOf("METRIC")));
        return body.lines().skip(1).map(String::trim).filter(l -> !l.isEmpty())
                .map(l -> l.split("\\s+", 2))
                .filter(f -> f.length == 2)
                .collect(Collectors.toMap(f -> f[0], f -> f[1].trim(), (a, b) -> a, java.util.TreeMap::new));
    }
}
