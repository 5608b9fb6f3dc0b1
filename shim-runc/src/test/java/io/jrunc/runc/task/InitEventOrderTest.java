package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.proto.events.TaskExit;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.runc.testsupport.RecordingEvents;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The init's exit holds: an init that exits as soon as runc starts it (its exit is often reaped while
 * Start is still publishing) still gets /tasks/start before /tasks/exit, and its exit status is kept.
 */
class InitEventOrderTest extends FakeRuncServiceTestBase {

    @RepeatedTest(20)
    void anInitThatExitsAtOnceIsStartedBeforeItExits() throws Exception {
        run("c1", "exit 3");
        events.await("/tasks/exit", EVENT_WAIT);
        assertEquals(3, waitFor("c1", "").getExitStatus());
        List<String> lifecycle = events.all().stream().map(RecordingEvents.Event::topic)
                .filter(t -> t.equals("/tasks/create") || t.equals("/tasks/start") || t.equals("/tasks/exit")).toList();
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit"), lifecycle);
        TaskExit exit = (TaskExit) events.all().stream().filter(e -> e.topic().equals("/tasks/exit")).findFirst()
                .orElseThrow().payload();
        assertEquals(3, exit.getExitStatus());
        service.delete(DeleteRequest.newBuilder().setId("c1").build());
    }
}
