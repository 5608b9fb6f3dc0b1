package io.jrunc.it.lifecycle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import java.time.Duration;
import java.time.Instant;

/** Checks on protobuf timestamps: set, and plausibly "now" rather than the zero time or garbage. */
final class Stamps {
    /** Clock slack between the shim's and the test's view of "now". */
    private static final Duration SLACK = Duration.ofSeconds(2);

    private Stamps() {
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** Asserts {@code t} lies in [notBefore - slack, now + slack]. */
    static Instant assertBetween(Timestamp t, Instant notBefore, String what) {
        Instant at = instant(t);
        Instant now = Instant.now();
        assertTrue(t.getSeconds() > 0, what + " is not set: " + t);
        assertTrue(!at.isBefore(notBefore.minus(SLACK)) && !at.isAfter(now.plus(SLACK)),
                what + " " + at + " is not between " + notBefore + " and " + now);
        return at;
    }
}
