package io.jrunc.it.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.events.TaskCreate;
import io.jrunc.proto.events.TaskDelete;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.events.TaskStart;
import io.jrunc.proto.services.events.v1.Envelope;
import io.jrunc.proto.services.tasks.v1.ListPidsRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The task events a shim publishes, as a containerd client sees them through Events/Subscribe:
 * create, start, exit, delete, in that order, each naming the container, its pid, and (exit and
 * delete) the real exit status and time.
 *
 * <p>The container's init must handle SIGTERM itself: the kernel drops signals without a handler
 * sent to a pid namespace's init, so a plain {@code sh} or {@code sleep} ignores {@code ctr task kill}
 * (checked with the Go shim: the task stays RUNNING). The trap exits 143, what a SIGTERM death gives.
 */
class TaskEventsIT extends LifecycleScenarios {
    private static final Duration ARRIVAL = Duration.ofSeconds(20);
    private static final String TERM_AWARE = "trap 'exit 143' TERM; sleep 300 & wait";
    private static final List<String> LIFECYCLE = List.of("/tasks/create", "/tasks/start", "/tasks/exit", "/tasks/delete");

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void runKillDeletePublishesCreateStartExitDeleteInOrder(ShimUnderTest shim) throws Exception {
        String id = "events";
        try (ShimScenario s = begin(shim); EventStream events = s.client().subscribe("namespace==" + s.namespace())) {
            events.awaitActive(ARRIVAL);
            Instant began = Instant.now();

            long pid = s.runDetached(id, "/bin/sh", "-c", TERM_AWARE);
            // The trap is set once sh has forked its sleep.
            Poll.require(ARRIVAL, () -> s.client().tasks().listPids(ListPidsRequest.newBuilder().setContainerId(id).build())
                    .getProcessesCount() >= 2, () -> "sh to start its sleep in " + id);
            Instant killedAt = Instant.now();
            s.ctr().ok("task", "kill", id); // SIGTERM
            s.awaitStopped(id, ARRIVAL);
            s.ctr().ok("task", "delete", id);

            List<Envelope> seen = new ArrayList<>();
            events.await(ARRIVAL, "/tasks/delete", e -> {
                if (e.getTopic().startsWith("/tasks/")) {
                    seen.add(e);
                }
                return e.getTopic().equals("/tasks/delete");
            });
            // Nothing else about tasks may follow (e.g. a duplicate exit).
            events.poll(Duration.ofMillis(300), e -> e.getTopic().startsWith("/tasks/")).ifPresent(seen::add);

            assertEquals(LIFECYCLE, seen.stream().map(Envelope::getTopic).toList(), () -> "task events: " + seen);
            Instant previous = began;
            for (Envelope e : seen) {
                assertEquals(s.namespace(), e.getNamespace(), e::toString);
                assertEquals("containerd.events." + switch (e.getTopic()) {
                    case "/tasks/create" -> "TaskCreate";
                    case "/tasks/start" -> "TaskStart";
                    case "/tasks/exit" -> "TaskExit";
                    default -> "TaskDelete";
                }, e.getEvent().getTypeUrl(), e::toString);
                Instant stamped = Stamps.assertBetween(e.getTimestamp(), began, e.getTopic() + " envelope timestamp");
                assertFalse(stamped.isBefore(previous), e.getTopic() + " stamped " + stamped + " before the event before it (" + previous + ")");
                previous = stamped;
            }

            TaskCreate create = TaskCreate.parseFrom(seen.get(0).getEvent().getValue());
            assertEquals(id, create.getContainerId(), create::toString);
            assertEquals(pid, create.getPid(), create::toString);
            assertEquals(s.containerd().bundle(s.namespace(), id).toString(), create.getBundle(), create::toString);

            TaskStart start = TaskStart.parseFrom(seen.get(1).getEvent().getValue());
            assertEquals(id, start.getContainerId(), start::toString);
            assertEquals(pid, start.getPid(), start::toString);

            TaskExit exit = TaskExit.parseFrom(seen.get(2).getEvent().getValue());
            assertEquals(id, exit.getContainerId(), exit::toString);
            assertEquals(id, exit.getId(), exit::toString);
            assertEquals(pid, exit.getPid(), exit::toString);
            assertEquals(143, exit.getExitStatus(), exit::toString);
            Stamps.assertBetween(exit.getExitedAt(), killedAt, "TaskExit exited_at");

            TaskDelete delete = TaskDelete.parseFrom(seen.get(3).getEvent().getValue());
            assertEquals(id, delete.getContainerId(), delete::toString);
            assertEquals(pid, delete.getPid(), delete::toString);
            assertEquals(143, delete.getExitStatus(), delete::toString);
            assertEquals(exit.getExitedAt(), delete.getExitedAt(), "TaskDelete repeats the exit time: " + delete);
        }
    }
}
