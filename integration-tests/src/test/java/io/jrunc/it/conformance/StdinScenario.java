package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.proto.services.tasks.v1.CloseIORequest;

/**
 * A stdin fifo: what the client writes reaches the process, and the process sees EOF only after
 * Tasks.CloseIO (the shim holds the fifo open until then, so a client may reattach).
 */
final class StdinScenario implements ConformanceScenario {
    @Override
    public String name() {
        return "stdin";
    }

    @Override
    public String summary() {
        return "stdin fifo to cat, CloseIO gives EOF, echo comes back on stdout, exit 0";
    }

    @Override
    public void run(CellRun run) {
        String id = "stdin";
        StdioFifos stdio = run.fifos(id, true);
        run.createContainer(id, run.spec(id, "/bin/cat"));
        run.createTask(id, stdio);
        run.start(id);

        stdio.writeStdin("ping\n");
        run.client().tasks().closeIO(CloseIORequest.newBuilder().setContainerId(id).setStdin(true).build());

        assertEquals(0, run.await(id).getExitStatus(), "cat exits 0 at EOF");
        assertEquals("ping\n", stdio.awaitStdout(CellRun.EXIT));
        run.deleteTask(id);
        run.deleteContainer(id);
    }
}
