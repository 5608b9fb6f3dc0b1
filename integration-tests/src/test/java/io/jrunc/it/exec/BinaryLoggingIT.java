package io.jrunc.it.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code binary://} stdio: ctr's --log-uri names a logging binary (here a /bin/sh script) that the shim starts
 * with the container's stdout on fd 3 and stderr on fd 4, for the init and for an exec.
 */
class BinaryLoggingIT extends ExecScenarios {
    private static final Duration STOP = Duration.ofSeconds(20);

    /**
     * The logging binary: writes "$CONTAINER_ID $CONTAINER_NAMESPACE $args" to log-$CONTAINER_ID.env, copies fd 3
     * to .out and fd 4 to .err, gets ready (closes fd 5) once the copies run, and lets them finish on SIGTERM. It
     * lives in containerd's temp dir, so a logger left running shows up as a leftover of the scenario.
     */
    private static Path logger(ShimScenario s) throws Exception {
        Path dir = Files.createDirectories(s.containerd().dir().resolve("loggers-" + s.namespace()));
        Path script = dir.resolve("logger.sh");
        Files.writeString(script, """
                #!/bin/sh
                out=%s/log-$CONTAINER_ID
                echo "$CONTAINER_ID $CONTAINER_NAMESPACE $*" > $out.env
                trap 'wait; exit 0' TERM
                cat <&3 > $out.out 5>&- &
                cat <&4 > $out.err 5>&- &
                exec 5>&-
                wait
                """.formatted(dir));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ShimUnderTest.class)
    void initAndExecOutputReachTheLoggingBinary(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            Path logger = logger(s);
            Path logs = logger.getParent();
            String uri = "binary://" + logger + "?tag=it";
            s.own("logged");
            s.ctr().ok(s.ctrRunArgs(List.of("-d", "--log-uri", uri), "logged",
                    "/bin/sh", "-c", "echo init-out; echo init-err >&2; exec sleep 300"));

            CommandResult exec = s.ctr().run("task", "exec", "--log-uri", uri, "--exec-id", "lx", "logged",
                    "/bin/sh", "-c", "echo exec-out; echo exec-err >&2; exit 4");
            assertEquals(4, exec.exitCode(), exec::describe);
            assertEquals("", exec.stdout(), "the output went to the logger, not to ctr");
            // ctr deleted the exec, which ended its logger after the output reached it.
            assertEquals("exec-out\n", Files.readString(logs.resolve("log-lx.out")));
            assertEquals("exec-err\n", Files.readString(logs.resolve("log-lx.err")));
            assertEquals("lx " + s.namespace() + " tag it\n", Files.readString(logs.resolve("log-lx.env")),
                    "an exec's logger gets the exec id as CONTAINER_ID");

            s.ctr().ok("task", "kill", "-s", "SIGKILL", "logged");
            s.awaitStopped("logged", STOP);
            s.ctr().ok("task", "delete", "logged");
            assertEquals("logged " + s.namespace() + " tag it\n", Files.readString(logs.resolve("log-logged.env")));
            assertEquals("init-out\n", Files.readString(logs.resolve("log-logged.out")));
            assertEquals("init-err\n", Files.readString(logs.resolve("log-logged.err")));
        }
    }
}
