package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.proto.services.tasks.v1.MetricsRequest;
import io.jrunc.proto.services.tasks.v1.MetricsResponse;
import io.jrunc.proto.types.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Tasks.Metrics (what CRI's stats use): one sample for the task, with the cgroup Metrics of the host's cgroup
 * version under its bare type URL, and values that fit a running sh with one child.
 */
final class MetricsScenario implements ConformanceScenario {
    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public String summary() {
        return "Metrics: one sample, bare cgroup v1/v2 type URL, pids 2, memory and cpu > 0";
    }

    @Override
    public void run(CellRun run) throws Exception {
        String id = "metrics";
        run.run(id, "/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 300 & wait");
        Checks.awaitProcesses(run, id, 2);
        Instant asked = Instant.now();

        MetricsResponse response = run.client().tasks().metrics(MetricsRequest.newBuilder().addFilters("id==" + id).build());

        assertEquals(1, response.getMetricsCount(), response::toString);
        Metric metric = response.getMetrics(0);
        assertEquals(id, metric.getId(), metric::toString);
        Checks.between(metric.getTimestamp(), asked, "metric timestamp");
        boolean unified = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        if (unified) {
            assertEquals("io.containerd.cgroups.v2.Metrics", metric.getData().getTypeUrl());
            var m = io.jrunc.proto.cgroups.v2.Metrics.parseFrom(metric.getData().getValue());
            assertEquals(2, m.getPids().getCurrent(), () -> "sh and sleep: " + m.getPids());
            assertTrue(m.getMemory().getUsage() > 0, () -> "memory: " + m.getMemory());
            assertTrue(m.getCpu().getUsageUsec() > 0, () -> "cpu: " + m.getCpu());
        } else {
            assertEquals("io.containerd.cgroups.v1.Metrics", metric.getData().getTypeUrl());
            var m = io.jrunc.proto.cgroups.v1.Metrics.parseFrom(metric.getData().getValue());
            assertEquals(2, m.getPids().getCurrent(), () -> "sh and sleep: " + m.getPids());
            assertTrue(m.getMemory().getUsage().getUsage() > 0, () -> "memory: " + m.getMemory());
            assertTrue(m.getMemory().getUsage().getLimit() > 0, () -> "memory limit: " + m.getMemory());
            assertTrue(m.getCpu().getUsage().getTotal() > 0, () -> "cpu: " + m.getCpu());
        }
    }
}
