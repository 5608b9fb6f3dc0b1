package io.jrunc.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jrunc.it.harness.Poll;
import io.jrunc.proto.services.tasks.v1.ListPidsRequest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.function.Executable;

/** Assertions the scenarios share: plausible timestamps, gRPC status codes, a shell that is ready. */
final class Checks {
    /** Clock slack between the shim's, containerd's and the test's idea of "now". */
    private static final Duration SLACK = Duration.ofSeconds(2);

    private Checks() {
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** {@code t} is set and lies in [notBefore - slack, now + slack] (not the zero time, not 1970). */
    static Instant between(Timestamp t, Instant notBefore, String what) {
        Instant at = instant(t);
        Instant now = Instant.now();
        assertTrue(t.getSeconds() > 0, () -> what + " is not set: " + t);
        assertTrue(!at.isBefore(notBefore.minus(SLACK)) && !at.isAfter(now.plus(SLACK)),
                () -> what + " " + at + " is not between " + notBefore + " and " + now);
        return at;
    }

    /** The call fails with {@code code}; returns the exception for further checks. */
    static StatusRuntimeException fails(Status.Code code, Executable call, String what) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call, what + " must fail with " + code);
        assertEquals(code, e.getStatus().getCode(), () -> what + ": " + e.getStatus());
        return e;
    }

    /**
     * Waits until the task runs at least {@code count} processes. Scripts that trap signals are ready only
     * after the trap is set, i.e. once the shell has forked its child: a signal without a handler sent to a
     * pid namespace's init is dropped by the kernel.
     */
    static void awaitProcesses(CellRun run, String id, int count) {
        Poll.require(CellRun.EXIT, () -> run.client().tasks()
                .listPids(ListPidsRequest.newBuilder().setContainerId(id).build()).getProcessesCount() >= count,
                () -> id + " to run " + count + " processes");
    }
}
