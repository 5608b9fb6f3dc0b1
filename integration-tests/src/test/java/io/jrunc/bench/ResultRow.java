package io.jrunc.bench;

import java.util.Locale;

/**
 * One line of the comparison: a workload measured for the Go shim and for ours.
 *
 * @param metric what was measured, with the unit and which percentile the parenthesised number is
 */
record ResultRow(String metric, Measurement go, Measurement java) {

    static ResultRow failedForBoth(String metric, String error) {
        return new ResultRow(metric, new Measurement.Failed(error), new Measurement.Failed(error));
    }

    /** Java median divided by Go median, or empty when either side has no value. */
    String ratio() {
        if (go instanceof Measurement.Value g && java instanceof Measurement.Value j && g.median() > 0) {
            return String.format(Locale.ROOT, "%.2f", j.median() / g.median());
        }
        return "";
    }

    boolean hasFailure() {
        return go instanceof Measurement.Failed || java instanceof Measurement.Failed;
    }
}
