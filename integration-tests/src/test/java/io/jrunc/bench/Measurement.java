package io.jrunc.bench;

import java.util.Locale;

/** One cell of the result table: a measured value, a failure, or a workload the shim cannot do yet. */
sealed interface Measurement {

    /** The text shown in the table. */
    String cell();

    /**
     * A measured value: the median and, when there were several samples, a tail percentile.
     *
     * @param tail NaN when there is no tail to show (a single sample)
     * @param note shown after the value (e.g. "2/15 runs failed"); empty for none
     */
    record Value(double median, double tail, int samples, String note) implements Measurement {
        static Value of(Samples s, double tailPercentile, String note) {
            return new Value(s.median(), s.count() > 1 ? s.percentile(tailPercentile) : Double.NaN, s.count(), note);
        }

        static Value single(double value, String note) {
            return new Value(value, Double.NaN, 1, note);
        }

        @Override
        public String cell() {
            String text = format(median) + (Double.isNaN(tail) ? "" : " (" + format(tail) + ")");
            return note.isEmpty() ? text : text + " [" + note + "]";
        }
    }

    /** The workload failed for this shim; {@code error} is the full message, the cell a short form. */
    record Failed(String error) implements Measurement {
        private static final java.util.regex.Pattern EXCEPTION_PREFIX =
                java.util.regex.Pattern.compile("^([\\w$]+\\.)+[\\w$]+(Exception|Error): ");

        @Override
        public String cell() {
            String summary = EXCEPTION_PREFIX.matcher(summary()).replaceAll("");
            return "error: " + (summary.length() > 80 ? summary.substring(0, 77) + "..." : summary);
        }

        /** The line that says most: what ctr printed about the failure if it is there, else the first. */
        String summary() {
            return error.lines().map(String::strip).filter(l -> l.startsWith("ctr: ")).findFirst()
                    .orElseGet(() -> error.lines().findFirst().orElse("").strip());
        }
    }

    /** The shim does not support the workload (e.g. Exec answers UNIMPLEMENTED). */
    record NotAvailable(String reason) implements Measurement {
        @Override
        public String cell() {
            return "n/a (" + reason + ")";
        }
    }

    /** Three significant digits or so, without exponent notation. */
    static String format(double v) {
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }
}
