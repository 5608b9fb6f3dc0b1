package io.jrunc.it.conformance;

import io.jrunc.it.harness.ShimUnderTest;
import java.time.Duration;

/** The outcome of one cell: scenario × shim × containerd release. */
record CellResult(String scenario, ShimUnderTest shim, String version, Outcome outcome, String message, Duration took,
                  java.util.List<String> notes) {
    enum Outcome {
        PASS, FAIL, NOT_RUN
    }

    /** A failure on one line, short enough for a table footnote. */
    static String describe(Throwable t) {
        String text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() > 500 ? flat.substring(0, 500) + "…" : flat;
    }
}
