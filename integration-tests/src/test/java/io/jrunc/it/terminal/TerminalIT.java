package io.jrunc.it.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.services.tasks.v1.CloseIORequest;
import io.jrunc.proto.services.tasks.v1.GetRequest;
import io.jrunc.proto.services.tasks.v1.ResizePtyRequest;
import io.jrunc.proto.types.task.Process;
import io.jrunc.proto.types.task.Status;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code ctr run -t}: a container whose process has a terminal, driven from a terminal this test holds,
 * as a person would: the shell's prompt and a command's output come back, the terminal's size follows
 * the client's, and closing stdin hangs the terminal up.
 */
class TerminalIT extends TerminalScenarios {
    static final Duration PROMPT = Duration.ofSeconds(30);
    static final Duration OUTPUT = Duration.ofSeconds(15);
    static final Duration EXIT = Duration.ofSeconds(30);

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void anInteractiveShellShowsItsPromptAndRunsACommand(ShimUnderTest shim) throws Exception {
        try (TerminalScenario t = beginTerminal(shim)) {
            PtySession pty = t.onTerminal(t.run(List.of("-t", "--rm"), "tty-sh", "/bin/sh"), 24, 80);

            pty.expect("/ # ", PROMPT);
            pty.type("echo hello-$((6*7))\r");
            pty.expect("hello-42", OUTPUT);
            pty.type("exit 7\r");

            assertEquals(7, pty.awaitExit(EXIT), pty::describe);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void theTerminalsSizeFollowsTheClientsTerminal(ShimUnderTest shim) throws Exception {
        try (TerminalScenario t = beginTerminal(shim)) {
            PtySession pty = t.onTerminal(t.run(List.of("-t", "--rm"), "tty-size", "/bin/sh"), 30, 100);
            pty.expect("/ # ", PROMPT);

            // ctr sends its terminal's size once the task started...
            expectSize(pty, "30 100");
            // ...and again on every SIGWINCH.
            pty.resize(37, 123);
            expectSize(pty, "37 123");

            pty.type("exit\r");
            assertEquals(0, pty.awaitExit(EXIT), pty::describe);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void resizePtyThroughTheTasksApi(ShimUnderTest shim) throws Exception {
        try (TerminalScenario t = beginTerminal(shim)) {
            String id = "tty-api";
            PtySession pty = t.onTerminal(t.run(List.of("-t", "--rm"), id, "/bin/sh"), 24, 80);
            pty.expect("/ # ", PROMPT);
            expectSize(pty, "24 80"); // ctr's own first resize is through: it cannot overtake ours any more

            t.scenario().client().tasks().resizePty(ResizePtyRequest.newBuilder()
                    .setContainerId(id).setWidth(211).setHeight(52).build());

            expectSize(pty, "52 211");
            pty.type("exit\r");
            assertEquals(0, pty.awaitExit(EXIT), pty::describe);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void closingStdinOfADetachedTerminalHangsItUp(ShimUnderTest shim) throws Exception {
        try (TerminalScenario t = beginTerminal(shim)) {
            String id = "tty-hup";
            PtySession pty = t.onTerminal(t.run(List.of("-d", "-t"), id, "/bin/sh"), 24, 80);
            assertEquals(0, pty.awaitExit(EXIT), pty::describe);
            Poll.require(EXIT, () -> status(t, id) == Status.RUNNING, () -> "task " + id + " to run");
            // ctr is gone and closed its end of stdin, but the shim holds a writer: no end of input yet.
            Thread.sleep(1000);
            assertEquals(Status.RUNNING, status(t, id));

            t.scenario().client().tasks().closeIO(CloseIORequest.newBuilder().setContainerId(id).setStdin(true).build());

            Poll.require(EXIT, () -> status(t, id) == Status.STOPPED, () -> "task " + id + " to stop after CloseIO");
            Process stopped = task(t, id);
            // The shim closed the pty master: busybox sh reads the end of its input and exits 0 (as with the Go shim).
            assertEquals(0, stopped.getExitStatus(), stopped::toString);
        }
    }

    static Status status(TerminalScenario t, String id) {
        return task(t, id).getStatus();
    }

    static Process task(TerminalScenario t, String id) {
        return t.scenario().client().tasks().get(GetRequest.newBuilder().setContainerId(id).build()).getProcess();
    }

    /** Asks the shell for its terminal's size until it is {@code rowsCols} (resizes arrive asynchronously). */
    static void expectSize(PtySession pty, String rowsCols) throws InterruptedException {
        String wanted = "size-" + rowsCols + "-end";
        for (int attempt = 0; attempt < 15; attempt++) {
            pty.type("echo size-$(stty size)-end\r");
            if (pty.await(transcript -> transcript.contains(wanted), Duration.ofSeconds(1))) {
                return;
            }
        }
        throw new AssertionError("the terminal never showed " + rowsCols + "\n" + pty.describe());
    }
}
