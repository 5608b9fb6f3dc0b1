package io.jrunc.runc.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuncLogTest {
    @TempDir
    Path dir;

    @Test
    void lastErrorRecordWins() throws IOException {
        Path log = dir.resolve("log.json");
        Files.writeString(log, """
                {"level":"warning","msg":"ignored","time":"2026-01-01T00:00:00Z"}
                {"level":"error","msg":"first","time":"2026-01-01T00:00:00Z"}
                not json at all
                {"level":"error","msg":"  container with id exists: c1\\n","time":"2026-01-01T00:00:01Z"}
                {"level":"info","msg":"later info","time":"2026-01-01T00:00:02Z"}
                """);
        assertEquals(Optional.of("container with id exists: c1"), RuncLog.lastError(log));
    }

    @Test
    void missingOrErrorFreeLogHasNone() throws IOException {
        assertEquals(Optional.empty(), RuncLog.lastError(dir.resolve("absent.json")));
        Path log = dir.resolve("log.json");
        Files.writeString(log, "{\"level\":\"info\",\"msg\":\"fine\"}\n");
        assertEquals(Optional.empty(), RuncLog.lastError(log));
    }

    @Test
    void psOutput() {
        assertEquals(List.of(12, 34), RuncJson.parsePids("[12,34]\n"));
        assertEquals(List.of(), RuncJson.parsePids("null"));
        assertEquals(List.of(), RuncJson.parsePids("[]"));
        assertThrows(IllegalArgumentException.class, () -> RuncJson.parsePids("{\"a\":1}"));
        assertThrows(IllegalArgumentException.class, () -> RuncJson.parsePids("[\"x\"]"));
    }

    @Test
    void globalFlagsComeBeforeTheSubcommand() {
        RuncConfig config = new RuncConfig("runc", Path.of("/run/containerd/runc/default"), Path.of("/b/log.json"),
                true, "/usr/sbin/criu");
        assertEquals(List.of("runc", "--root", "/run/containerd/runc/default", "--log", "/b/log.json",
                "--log-format", "json", "--criu", "/usr/sbin/criu", "--systemd-cgroup", "start", "c1"),
                config.command(List.of("start", "c1")));
        RuncConfig defaults = RuncConfig.of(io.jrunc.proto.runc.v1.Options.getDefaultInstance(), Path.of("/b"), "k8s.io");
        assertEquals(List.of("runc", "--root", "/run/containerd/runc/k8s.io", "--log", "/b/log.json",
                "--log-format", "json", "kill", "c1", "9"), defaults.command(List.of("kill", "c1", "9")));
    }
}
