package io.jrunc.it.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.services.tasks.v1.ResizePtyRequest;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code ctr task exec -t}: a second process with a terminal of its own in a running container (whose
 * init has no terminal), driven from a terminal this test holds.
 */
class ExecTerminalIT extends TerminalScenarios {

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void anExecutedShellOnATerminalRunsCommandsFollowsResizesAndExits(ShimUnderTest shim) throws Exception {
        try (TerminalScenario t = beginTerminal(shim)) {
            String id = "exec-tty";
            t.scenario().runDetached(id, "/bin/sleep", "300");
            PtySession pty = t.onTerminal(t.exec(List.of("-t"), "sh1", id, "/bin/sh"), 30, 100);

            pty.expect("/ # ", TerminalIT.PROMPT);
            pty.type("echo exec-$((6*7))\r");
            pty.expect("exec-42", TerminalIT.OUTPUT);
            TerminalIT.expectSize(pty, "30 100");
            pty.resize(41, 132);
            TerminalIT.expectSize(pty, "41 132");
            t.scenario().client().tasks().resizePty(ResizePtyRequest.newBuilder()
                    .setContainerId(id).setExecId("sh1").setWidth(90).setHeight(20).build());
            TerminalIT.expectSize(pty, "20 90");
            pty.type("exit 3\r");

            assertEquals(3, pty.awaitExit(TerminalIT.EXIT), pty::describe);
        }
    }
}
