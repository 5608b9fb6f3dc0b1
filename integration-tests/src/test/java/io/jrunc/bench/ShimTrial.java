package io.jrunc.bench;

import io.jrunc.it.harness.ShimUnderTest;
import java.util.List;

/**
 * The samples of one workload for one shim, and how it went: a failed run is recorded (the first
 * error kept in full) and the shim is left out of further runs after {@code maxFailuresInARow}
 * consecutive failures, so a broken shim costs a few runs rather than the whole benchmark.
 */
final class ShimTrial {
    private final ShimUnderTest shim;
    private final int maxFailuresInARow;
    private final Samples samples = new Samples();
    private int failures;
    private int failuresInARow;
    private String firstError;
    private String unavailable;

    ShimTrial(ShimUnderTest shim, int maxFailuresInARow) {
        this.shim = shim;
        this.maxFailuresInARow = maxFailuresInARow;
    }

    ShimUnderTest shim() {
        return shim;
    }

    void add(double value) {
        samples.add(value);
        failuresInARow = 0;
    }

    void fail(String error) {
        failures++;
        failuresInARow++;
        if (firstError == null) {
            firstError = error;
        }
        System.out.println("  " + shim + " failed: " + error.lines().limit(6).reduce((a, b) -> a + "\n    " + b).orElse(""));
    }

    /** The shim cannot do this workload at all (e.g. UNIMPLEMENTED); no more runs. */
    void unavailable(String reason) {
        unavailable = reason;
        System.out.println("  " + shim + ": n/a (" + reason + ")");
    }

    /** No more runs, e.g. when what the runs need could not be set up (the failure was recorded). */
    void giveUp() {
        failuresInARow = Math.max(failuresInARow, maxFailuresInARow);
    }

    /** Whether further runs should be skipped. */
    boolean stopped() {
        return unavailable != null || failuresInARow >= maxFailuresInARow;
    }

    Samples samples() {
        return samples;
    }

    /** The first error of a trial that still has samples (its cell shows a value, not the error). */
    java.util.Optional<String> partialFailure() {
        return samples.isEmpty() || firstError == null ? java.util.Optional.empty() : java.util.Optional.of(firstError);
    }

    /**
     * The table cell: median and {@code tailPercentile}; a note when some runs failed; the error when
     * none succeeded.
     */
    Measurement measurement(double tailPercentile) {
        if (unavailable != null) {
            return new Measurement.NotAvailable(unavailable);
        }
        if (samples.isEmpty()) {
            return new Measurement.Failed(firstError == null ? "no runs" : firstError);
        }
        String note = failures == 0 ? "" : failures + " of " + (failures + samples.count()) + " runs failed";
        return Measurement.Value.of(samples, tailPercentile, note);
    }

    /** Go first on even rounds, Java first on odd ones, so drift in the machine's load hits both alike. */
    static List<ShimTrial> inTurn(int round, ShimTrial go, ShimTrial java) {
        return round % 2 == 0 ? List.of(go, java) : List.of(java, go);
    }
}
