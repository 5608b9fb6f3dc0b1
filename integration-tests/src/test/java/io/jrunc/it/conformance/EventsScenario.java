package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.it.harness.EventStream;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.events.TaskCreate;
import io.jrunc.proto.events.TaskDelete;
import io.jrunc.proto.events.TaskExecAdded;
import io.jrunc.proto.events.TaskExecStarted;
import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.events.TaskPaused;
import io.jrunc.proto.events.TaskResumed;
import io.jrunc.proto.events.TaskStart;
import io.jrunc.proto.services.events.v1.Envelope;
import io.jrunc.proto.services.tasks.v1.DeleteProcessRequest;
import io.jrunc.proto.services.tasks.v1.ExecProcessRequest;
import io.jrunc.proto.services.tasks.v1.PauseTaskRequest;
import io.jrunc.proto.services.tasks.v1.ResumeTaskRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The event stream a client sees through Events.Subscribe for one container's whole life: topics in order
 * (nothing missing, nothing twice), the envelope's namespace, timestamps that never go back, bare type URLs,
 * and payloads naming the right container, process, pid and exit status.
 */
final class EventsScenario implements ConformanceScenario {
    private static final Duration ARRIVAL = Duration.ofSeconds(20);
    private static final List<String> TOPICS = List.of("/containers/create", "/tasks/create", "/tasks/start",
            "/tasks/exec-added", "/tasks/exec-started", "/tasks/exit", "/tasks/paused", "/tasks/resumed",
            "/tasks/exit", "/tasks/delete", "/containers/delete");

    @Override
    public String name() {
        return "events";
    }

    @Override
    public String summary() {
        return "Subscribe: create, start, exec-added, exec-started, exit, paused, resumed, exit, delete in order, payloads";
    }

    @Override
    public void run(CellRun run) throws Exception {
        String id = "events";
        try (EventStream events = run.client().subscribe("namespace==" + run.namespace())) {
            events.awaitActive(ARRIVAL);
            Instant began = Instant.now();

            run.createContainer(id, run.spec(id, "/bin/sleep", "300"));
            long pid = run.createTask(id, null);
            run.start(id);
            run.client().tasks().exec(ExecProcessRequest.newBuilder().setContainerId(id).setExecId("ex")
                    .setSpec(OciSpec.process("/bin/sh", "-c", "exit 4")).build());
            long execPid = run.startExec(id, "ex");
            assertEquals(4, run.await(id, "ex").getExitStatus());
            run.client().tasks().deleteProcess(DeleteProcessRequest.newBuilder().setContainerId(id).setExecId("ex").build());
            run.client().tasks().pause(PauseTaskRequest.newBuilder().setContainerId(id).build());
            run.client().tasks().resume(ResumeTaskRequest.newBuilder().setContainerId(id).build());
            run.kill(id, 9);
            run.await(id);
            run.deleteTask(id);
            run.deleteContainer(id);

            List<Envelope> seen = new ArrayList<>();
            events.await(ARRIVAL, "/containers/delete", e -> {
                if (!e.getTopic().equals(EventStream.PROBE_TOPIC)) {
                    seen.add(e);
                }
                return e.getTopic().equals("/containers/delete");
            });
            // Nothing may follow (e.g. a second exit).
            events.poll(Duration.ofMillis(500), e -> !e.getTopic().equals(EventStream.PROBE_TOPIC)).ifPresent(seen::add);

            List<String> topics = seen.stream().map(Envelope::getTopic).toList();
            if (run.shim() == ShimUnderTest.GO && run.major() >= 2 && !topics.contains("/tasks/delete")) {
                // The reference's own race: the 2.x Go shim exits on Shutdown once its shutdown callbacks ran
                // (pkg/shim/shim.go waits on sd.Done(), 1.x waited on publisher.Done()), often before its
                // publisher forwarded the TaskDelete that Delete queued. JAVA gets no such allowance.
                run.note("GO shim " + run.version() + " did not deliver /tasks/delete (its shim exits before "
                        + "its event publisher drains: pkg/shim waits for shutdown callbacks, not the publisher)");
                seen.add(TOPICS.indexOf("/tasks/delete"), null);
            }
            assertEquals(TOPICS, seen.stream().map(e -> e == null ? "/tasks/delete" : e.getTopic()).toList(),
                    () -> "event topics");
            Instant previous = began;
            for (Envelope e : seen) {
                if (e == null) {
                    continue;
                }
                assertEquals(run.namespace(), e.getNamespace(), e::toString);
                Instant stamped = Checks.between(e.getTimestamp(), began, e.getTopic() + " envelope timestamp");
                assertFalse(stamped.isBefore(previous), e.getTopic() + " stamped " + stamped + " before the event before it");
                previous = stamped;
            }

            TaskCreate create = payload(seen.get(1), TaskCreate.class);
            assertEquals(id, create.getContainerId(), create::toString);
            assertEquals(pid, create.getPid(), create::toString);
            assertTrue(create.getBundle().endsWith("/" + run.namespace() + "/" + id), create::toString);
            TaskStart start = payload(seen.get(2), TaskStart.class);
            assertEquals(pid, start.getPid(), start::toString);
            assertEquals(id, start.getContainerId(), start::toString);
            TaskExecAdded added = payload(seen.get(3), TaskExecAdded.class);
            assertEquals("ex", added.getExecId(), added::toString);
            assertEquals(id, added.getContainerId(), added::toString);
            TaskExecStarted started = payload(seen.get(4), TaskExecStarted.class);
            assertEquals("ex", started.getExecId(), started::toString);
            assertEquals(execPid, started.getPid(), started::toString);
            TaskExit execExit = payload(seen.get(5), TaskExit.class);
            assertEquals(List.of(id, "ex", execPid, 4), List.of(execExit.getContainerId(), execExit.getId(),
                    (long) execExit.getPid(), execExit.getExitStatus()), execExit::toString);
            assertEquals(id, payload(seen.get(6), TaskPaused.class).getContainerId());
            assertEquals(id, payload(seen.get(7), TaskResumed.class).getContainerId());
            TaskExit exit = payload(seen.get(8), TaskExit.class);
            assertEquals(List.of(id, id, pid, 137), List.of(exit.getContainerId(), exit.getId(),
                    (long) exit.getPid(), exit.getExitStatus()), exit::toString);
            Checks.between(exit.getExitedAt(), began, "TaskExit exited_at");
            if (seen.get(9) != null) {
                TaskDelete delete = payload(seen.get(9), TaskDelete.class);
                assertEquals(List.of(id, pid, 137), List.of(delete.getContainerId(), (long) delete.getPid(),
                        delete.getExitStatus()), delete::toString);
                assertEquals(exit.getExitedAt(), delete.getExitedAt(), "TaskDelete and TaskExit agree on the exit time");
            }
        }
    }

    /** Parses an event after checking its bare type URL ("containerd.events.TaskExit", as the Go shim sends it). */
    private static <T extends com.google.protobuf.Message> T payload(Envelope e, Class<T> type)
            throws InvalidProtocolBufferException {
        assertEquals("containerd.events." + type.getSimpleName(), e.getEvent().getTypeUrl(), e::toString);
        try {
            @SuppressWarnings("unchecked")
            T parsed = (T) type.getMethod("parseFrom", com.google.protobuf.ByteString.class).invoke(null, e.getEvent().getValue());
            return parsed;
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
