package io.jrunc.it.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.events.TaskOOM;
import io.jrunc.proto.services.events.v1.Envelope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * OOM kills as containerd learns of them: a /tasks/oom event naming the container, published before the
 * /tasks/exit it causes (containerd 2.x guarantees the order; CRI reads it to report reason OOMKilled), and
 * the exit status of a SIGKILL. The hog is busybox {@code tail /dev/zero}: /dev/zero has no newline, so
 * tail buffers without bound and hits a 32 MiB limit within milliseconds.
 */
class OomIT extends CgroupScenarios {
    private static final long LIMIT = 32L << 20; // 33554432
    private static final Duration ARRIVAL = Duration.ofSeconds(20);

    /** The /tasks/* events about {@code id} up to its /tasks/delete, in arrival order. */
    private static List<Envelope> taskEventsUntilDelete(EventStream events, String id) {
        List<Envelope> seen = new ArrayList<>();
        events.await(ARRIVAL, "/tasks/delete of " + id, e -> {
            if (e.getTopic().startsWith("/tasks/") && about(e, id)) {
                seen.add(e);
                return e.getTopic().equals("/tasks/delete");
            }
            return false;
        });
        // An OOM event must not trail behind the delete either.
        events.poll(Duration.ofMillis(500), e -> e.getTopic().startsWith("/tasks/") && about(e, id)).ifPresent(seen::add);
        return seen;
    }

    /** Every task event payload starts with container_id (field 1). */
    private static boolean about(Envelope e, String id) {
        try {
            return TaskOOM.parseFrom(e.getEvent().getValue()).getContainerId().equals(id);
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            return false;
        }
    }

    private static List<String> topics(List<Envelope> events) {
        return events.stream().map(Envelope::getTopic).toList();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void anOomKilledInitPublishesOomBeforeExitAndExits137(ShimUnderTest shim) throws Exception {
        String id = "oom-init";
        try (ShimScenario s = begin(shim); EventStream events = s.client().subscribe("namespace==" + s.namespace());
                OwnContainer c = new OwnContainer(s, id)) {
            events.awaitActive(ARRIVAL);

            CommandResult run = c.runWithMemoryLimit(LIMIT, "/bin/sh", "-c", "tail /dev/zero");

            assertEquals(137, run.exitCode(), run::describe);
            List<Envelope> seen = taskEventsUntilDelete(events, id);
            List<String> topics = topics(seen);
            int oom = topics.indexOf("/tasks/oom");
            int exit = topics.indexOf("/tasks/exit");
            assertTrue(oom >= 0, () -> "no /tasks/oom: " + topics);
            assertTrue(exit > oom, () -> "/tasks/oom must come before /tasks/exit: " + topics);
            assertEquals(topics.lastIndexOf("/tasks/oom"), oom, () -> "one OOM, one event: " + topics);
            Envelope oomEvent = seen.get(oom);
            assertEquals("containerd.events.TaskOOM", oomEvent.getEvent().getTypeUrl(), oomEvent::toString);
            assertEquals(id, TaskOOM.parseFrom(oomEvent.getEvent().getValue()).getContainerId());
            TaskExit exitEvent = TaskExit.parseFrom(seen.get(exit).getEvent().getValue());
            assertEquals(137, exitEvent.getExitStatus(), exitEvent::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void anOomKilledChildIsReportedWhileTheInitLivesOn(ShimUnderTest shim) throws Exception {
        String id = "oom-child";
        try (ShimScenario s = begin(shim); EventStream events = s.client().subscribe("namespace==" + s.namespace());
                OwnContainer c = new OwnContainer(s, id)) {
            events.awaitActive(ARRIVAL);

            // The OOM killer picks the biggest process, tail; sh survives and exits on its own.
            CommandResult run = c.runWithMemoryLimit(LIMIT, "/bin/sh", "-c", "tail /dev/zero; echo survived; exit 3");

            assertEquals(3, run.exitCode(), run::describe);
            assertTrue(run.stdout().contains("survived"), run::describe);
            List<String> topics = topics(taskEventsUntilDelete(events, id));
            assertTrue(topics.indexOf("/tasks/oom") >= 0, () -> "no /tasks/oom: " + topics);
            assertTrue(topics.indexOf("/tasks/oom") < topics.indexOf("/tasks/exit"), topics::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void aTaskWithinItsLimitHasNoOomEvent(ShimUnderTest shim) {
        String id = "no-oom";
        try (ShimScenario s = begin(shim); EventStream events = s.client().subscribe("namespace==" + s.namespace());
                OwnContainer c = new OwnContainer(s, id)) {
            events.awaitActive(ARRIVAL);

            CommandResult run = c.runWithMemoryLimit(LIMIT, "/bin/echo", "fits");

            assertEquals(0, run.exitCode(), run::describe);
            List<String> topics = topics(taskEventsUntilDelete(events, id));
            assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete"), topics);
        }
    }
}
