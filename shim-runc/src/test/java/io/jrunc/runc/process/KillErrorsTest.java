package io.jrunc.runc.process;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import org.junit.jupiter.api.Test;

class KillErrorsTest {
    @Test
    void goneProcessesAreNotFoundAsInTheGoShim() {
        for (String runc : new String[] {
                "runc did not terminate successfully: exit status 1: container not running",
                "os: process already finished",
                "kill: No such process"}) {
            ShimException e = KillErrors.translate(runc);
            assertEquals(ErrorKind.NOT_FOUND, e.kind(), runc);
            assertEquals("process already finished: not found", e.getMessage());
        }
        ShimException missing = KillErrors.translate("runc did not terminate successfully: exit status 1: container does not exist");
        assertEquals(ErrorKind.NOT_FOUND, missing.kind());
        assertEquals("no such container: not found", missing.getMessage());
    }

    @Test
    void otherFailuresAreUnknown() {
        ShimException e = KillErrors.translate("runc did not terminate successfully: exit status 1: permission denied");
        assertEquals(ErrorKind.UNKNOWN, e.kind());
        assertEquals("unknown error after kill: runc did not terminate successfully: exit status 1: permission denied",
                e.getMessage());
    }
}
