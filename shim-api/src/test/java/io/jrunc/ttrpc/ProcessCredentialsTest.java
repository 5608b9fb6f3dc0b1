package io.jrunc.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessCredentialsTest {

    @TempDir
    Path dir;

    @Test
    void readsTheEffectiveIdsNotTheRealOnes() throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\nUid:\t1000\t0\t1000\t0\nGid:\t1001\t5\t1001\t5\nGroups:\t\n");
        assertEquals(new ProcessCredentials(0, 5), ProcessCredentials.read(status));
    }

    @Test
    void missingLinesAreAnError() throws Exception {
        Path status = dir.resolve("status");
        Files.writeString(status, "Name:\tjava\n");
        assertThrows(IllegalStateException.class, () -> ProcessCredentials.read(status));
    }

    @Test
    void ownCredentialsMatchProc() throws Exception {
        String uidLine = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        assertEquals(Integer.parseInt(uidLine.split("\\s+")[2]), ProcessCredentials.effective().uid());
    }
}
