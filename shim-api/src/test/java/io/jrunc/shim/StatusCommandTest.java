package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
    @TempDir
    Path dir;

    private String run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        assertEquals(0, new StatusCommand(dir).run(List.of(args), new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void noDaemon() throws Exception {
        assertEquals("no jrunc daemon is running\n", run());
        assertEquals(Map.of("daemons", List.of()), Json.parseObject(run("-json")));
    }

    @Test
    void aLiveDaemonIsShownWithItsContainersAndProcessFigures() throws Exception {
        Path socket = dir.resolve("abc");
        DaemonStateFile.State self = DaemonStateFile.self(false);
        DaemonStateFile.of(socket).write(self);
        DaemonStatusFile status = DaemonStatusFile.of(socket);
        status.write(new DaemonStatusFile.Status(self.pid(), "k8s.io", "jrunc 1.2.3", System.currentTimeMillis() - 65_000,
                "namespace", 64, 30_000, socket.toString(), "/run/containerd/containerd.sock", List.of("web", "db")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(status.path())));

        String table = run();
        assertTrue(table.startsWith("PID "), table);
        String row = table.lines().skip(1).findFirst().orElseThrow();
        assertTrue(row.matches(self.pid() + " +k8s\\.io +1m\\ds +up +2/64 +[0-9.]+MB +[0-9.]+MB +[0-9]+ +namespace linger=30s"), row);
        assertTrue(table.contains("version: jrunc 1.2.3"), table);
        assertTrue(table.contains("containers: web db"), table);

        @SuppressWarnings("unchecked") // a JSON object reads as a Map<String, Object>
        Map<String, Object> daemon = (Map<String, Object>) Json.array(Json.parseObject(run("-json")), "daemons").get(0);
        assertEquals(self.pid(), daemon.get("pid"));
        assertEquals(true, daemon.get("alive"));
        assertEquals(List.of("web", "db"), daemon.get("containers"));
        assertTrue((Long) daemon.get("rss_kb") > 0 && (Long) daemon.get("threads") > 0, daemon.toString());
    }

    @Test
    void aDeadDaemonsLeftoverStateIsShownAsStale() throws Exception {
        Process gone = new ProcessBuilder("/bin/true").start();
        gone.waitFor();
        Files.writeString(dir.resolve("dead.pid"), gone.pid() + " 12345\n");
        String table = run();
        assertTrue(table.lines().anyMatch(l -> l.startsWith(gone.pid() + " ") && l.contains(" stale ")), table);
        assertFalse(table.contains("MB"), table);
    }

    @Test
    void unknownArgumentsAreAUsageError() {
        ShimUsageException e = assertThrows(ShimUsageException.class, () -> run("-all"));
        assertEquals("status: unknown argument \"-all\" (usage: status [-json])", e.getMessage());
    }
}
