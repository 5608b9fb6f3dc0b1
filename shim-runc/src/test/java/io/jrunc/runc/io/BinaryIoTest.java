package io.jrunc.runc.io;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.posix.Posix;
import io.jrunc.posix.ProcessExit;
import io.jrunc.runc.logging.LoggerCommand;
import io.jrunc.runc.testsupport.Natives;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Logging binaries started through the real reaper. */
@Timeout(30)
class BinaryIoTest {
    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path s = dir.resolve(name);
        Files.writeString(s, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    private BinaryIo start(Path logger, Duration readyTimeout, Duration grace) throws IoException {
        return BinaryIo.start(Natives.posix(), Natives.reaper(), LoggerCommand.parse("binary://" + logger + "?k=v"),
                "c1", "ns1", readyTimeout, grace);
    }

    @Test
    void theLoggerGetsBothStreamsItsEnvironmentAndArgumentsAndEndsOnClose() throws Exception {
        Path out = dir.resolve("out");
        // Ready once both copies run; on SIGTERM it waits for them to reach the end of their input.
        Path logger = script("logger", "echo \"$# $* $CONTAINER_ID $CONTAINER_NAMESPACE $(env | grep -vc '^PWD=')\" > " + out
                + ".env\ntrap 'wait; exit 0' TERM\ncat <&3 > " + out + ".out 5>&- &\ncat <&4 > " + out
                + ".err 5>&- &\nexec 5>&-\nwait");
        BinaryIo io = start(logger, Duration.ofSeconds(10), Duration.ofSeconds(10));
        assertEquals("2 k v c1 ns1 2\n", Files.readString(dir.resolve("out.env")),
                "args k v; env: CONTAINER_ID and CONTAINER_NAMESPACE only (the shell adds PWD)");
        var fds = io.childFds();
        assertEquals(List.of(1, 2), fds.keySet().stream().sorted().toList(), "stdin is not wired");
        byte[] hello = "to stdout\n".getBytes(StandardCharsets.UTF_8);
        Natives.posix().write(fds.get(1), hello, 0, hello.length);
        byte[] err = "to stderr\n".getBytes(StandardCharsets.UTF_8);
        Natives.posix().write(fds.get(2), err, 0, err.length);
        assertTrue(io.awaitOutputDrained(Duration.ZERO), "nothing to drain: the shim copies nothing");
        io.close();
        assertTrue(io.logger().exit().isDone(), "close waits for the logger");
        assertEquals("to stdout\n", Files.readString(dir.resolve("out.out")));
        assertEquals("to stderr\n", Files.readString(dir.resolve("out.err")));
    }

    @Test
    void aByteOnTheReadyPipeIsReadyToo() throws Exception {
        Path logger = script("logger", "trap 'exit 0' TERM\nprintf x >&5\ncat <&3 >/dev/null");
        BinaryIo io = start(logger, Duration.ofSeconds(10), Duration.ofSeconds(10));
        assertFalse(io.logger().exit().isDone());
        io.close();
        assertEquals(0, io.logger().exit().get(5, TimeUnit.SECONDS).status(), "it ended after its SIGTERM, unkilled");
    }

    @Test
    void aLoggerIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        Path logger = script("logger", "trap '' TERM\nexec 5>&- 3<&- 4<&-\nwhile :; do sleep 0.05; done");
        BinaryIo io = start(logger, Duration.ofSeconds(10), Duration.ofMillis(300));
        long began = System.nanoTime();
        io.close();
        ProcessExit exit = io.logger().exit().get(5, TimeUnit.SECONDS);
        assertEquals(128 + Posix.SIGKILL, exit.status());
        assertTrue(System.nanoTime() - began >= Duration.ofMillis(300).toNanos(), "SIGKILL only after the grace");
    }

    @Test
    void aLoggerThatNeverGetsReadyFailsAndIsKilled() throws Exception {
        Path logger = script("logger", "exec sleep 30");
        IoException e = assertThrows(IoException.class, () -> start(logger, Duration.ofMillis(300), Duration.ofSeconds(1)));
        assertEquals("logging binary " + logger + " did not get ready within PT0.3S (it must close fd 5 or write a byte to it)",
                e.getMessage());
    }

    @Test
    void aMissingOrNonExecutableLoggerIsAnError() throws Exception {
        IoException missing = assertThrows(IoException.class,
                () -> start(dir.resolve("nope"), Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertEquals("failed to start binary process: fork/exec " + dir.resolve("nope") + ": no such file or directory",
                missing.getMessage());
        Path plain = Files.writeString(dir.resolve("plain"), "");
        IoException denied = assertThrows(IoException.class, () -> start(plain, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertTrue(denied.getMessage().endsWith("permission denied"), denied.getMessage());
    }
}
