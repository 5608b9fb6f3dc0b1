package io.jrunc.runc.process;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.ttrpc.StatusCode;
import io.jrunc.ttrpc.TtrpcException;
import org.junit.jupiter.api.Test;

class KillErrorsTest {
    @Test
    void goneProcessesAreNotFoundAsInTheGoShim() {
        for (String runc : new String[] {
                "runc did not terminate successfully: exit status 1: container not running",
                "os: process already finished",
                "kill: No such process"}) {
            TtrpcException e = KillErrors.translate(runc);
            assertEquals(StatusCode.NOT_FOUND, e.code(), runc);
            assertEquals("process already finished: not found", e.getMessage());
        }
        TtrpcException missing = KillErrors.translate("runc did not terminate successfully: exit status 1: container does not exist");
        assertEquals(StatusCode.NOT_FOUND, missing.code());
        assertEquals("no such container: not found", missing.getMessage());
    }

    @Test
    void otherFailuresAreUnknown() {
        TtrpcException e = KillErrors.translate("runc did not terminate successfully: exit status 1: permission denied");
        assertEquals(StatusCode.UNKNOWN, e.code());
        assertEquals("unknown error after kill: runc did not terminate successfully: exit status 1: permission denied",
                e.getMessage());
    }
}
