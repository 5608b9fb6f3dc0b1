package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonStateFileTest {
    @TempDir
    Path tmp;

    @Test
    void writesPidAndStartTimeNextToTheSocket() throws Exception {
        DaemonStateFile file = DaemonStateFile.of(tmp.resolve("abc"));
        assertEquals(tmp.resolve("abc.pid"), file.path());
        DaemonStateFile.State self = DaemonStateFile.self(false);
        file.write(self);

        long pid = ProcessHandle.current().pid();
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String startTime = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
        assertEquals(pid + " " + startTime + "\n", Files.readString(file.path()));
        assertEquals(Optional.of(self), file.read());
        assertTrue(self.alive());
        try (var dir = Files.list(tmp)) {
            assertEquals(1, dir.count(), "no temporary file left");
        }

        file.write(DaemonStateFile.self(true));
        assertEquals(pid + " " + startTime + " retiring\n", Files.readString(file.path()));
        assertTrue(file.read().orElseThrow().retiring());
    }

    @Test
    void aReusedOrDeadPidIsNotAlive() throws Exception {
        DaemonStateFile.State self = DaemonStateFile.self(false);
        assertFalse(new DaemonStateFile.State(self.pid(), self.startTime() + 1, false).alive(), "another start time");
        Process p = new ProcessBuilder("/bin/true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertFalse(new DaemonStateFile.State(p.pid(), 1, false).alive(), "exited and reaped");
    }

    @Test
    void staleFilesGoOnlyWhenTheirProcessIsGone() throws Exception {
        DaemonStateFile file = DaemonStateFile.of(tmp.resolve("sock"));
        file.write(DaemonStateFile.self(false));
        assertFalse(file.removeIfStale());
        file.removeIfOwnedBy(1);
        assertTrue(Files.exists(file.path()), "names us, not pid 1");

        Process p = new ProcessBuilder("/bin/true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        Files.writeString(file.path(), p.pid() + " 12345\n");
        DaemonStatusFile status = DaemonStatusFile.of(tmp.resolve("sock"));
        status.write(new DaemonStatusFile.Status(p.pid(), "ns", "v", 0, "namespace", 0, 0, "", "", java.util.List.of("c1")));
        assertTrue(file.removeIfStale());
        assertFalse(Files.exists(file.path()));
        assertFalse(Files.exists(status.path()), "the dead daemon's status file goes with it");

        file.write(DaemonStateFile.self(false));
        file.removeIfOwnedBy(ProcessHandle.current().pid());
        assertFalse(Files.exists(file.path()));
    }

    @Test
    void foreignContentReadsAsNothing() throws Exception {
        DaemonStateFile file = DaemonStateFile.of(tmp.resolve("sock"));
        assertEquals(Optional.empty(), file.read());
        for (String text : new String[] {"", "12", "12 x", "12 34 leaving", "a b", "1 2 retiring extra"}) {
            Files.writeString(file.path(), text);
            assertEquals(Optional.empty(), file.read(), text);
        }
    }
}
