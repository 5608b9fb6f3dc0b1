package io.jrunc.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's report: environment, the Go-versus-Java table, reference numbers that have no
 * Java/Go pair (the runc floor), and every error in full. Rendered as Markdown, which reads fine
 * on a terminal too.
 */
final class ResultTable {
    private final List<String> environment = new ArrayList<>();
    private final List<ResultRow> rows = new ArrayList<>();
    private final List<String> references = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    synchronized void environment(String line) {
        environment.add(line);
    }

    synchronized void add(ResultRow row) {
        rows.add(row);
    }

    /** A row from two trials; the first error of a trial that partly failed goes to the notes. */
    synchronized void add(String metric, double tailPercentile, ShimTrial go, ShimTrial java) {
        add(new ResultRow(metric, go.measurement(tailPercentile), java.measurement(tailPercentile)));
        for (ShimTrial t : List.of(go, java)) {
            t.partialFailure().ifPresent(e -> note(metric + ", " + t.shim() + ", first failure: " + e.strip()));
        }
    }

    synchronized void reference(String line) {
        references.add(line);
    }

    /** Something the reader must know to trust a number (a cap, a leftover process). */
    synchronized void note(String line) {
        notes.add(line);
    }

    synchronized boolean hasFailures() {
        return rows.stream().anyMatch(ResultRow::hasFailure);
    }

    synchronized String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("### Environment\n\n");
        environment.forEach(line -> md.append("- ").append(line).append('\n'));
        md.append("\n### Go shim (io.containerd.runc.v2) vs jrunc (io.containerd.jrunc.v2)\n\n");
        md.append("Median, and in parentheses the tail percentile named in the first column. "
                + "Java/Go is the ratio of the medians (above 1: Java takes longer, uses more, or for MB/s is faster).\n\n");
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"workload", "Go runc.v2", "jrunc", "Java/Go"});
        for (ResultRow r : rows) {
            cells.add(new String[] {r.metric(), r.go().cell(), r.java().cell(), r.ratio()});
        }
        appendTable(md, cells);
        if (!references.isEmpty()) {
            md.append("\n### Reference\n\n");
            references.forEach(line -> md.append("- ").append(line).append('\n'));
        }
        if (!notes.isEmpty()) {
            md.append("\n### Notes\n\n");
            notes.forEach(line -> md.append("- ").append(line).append('\n'));
        }
        // One entry per distinct error, naming every row it spoiled (a memory step fails several rows at once).
        Map<String, List<String>> errors = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            if (r.go() instanceof Measurement.Failed f) {
                errors.computeIfAbsent(f.error().strip(), e -> new ArrayList<>()).add(r.metric() + ", Go");
            }
            if (r.java() instanceof Measurement.Failed f) {
                errors.computeIfAbsent(f.error().strip(), e -> new ArrayList<>()).add(r.metric() + ", Java");
            }
        }
        if (!errors.isEmpty()) {
            md.append("\n### Errors\n\n");
            errors.forEach((error, where) -> md.append("- ").append(String.join("; ", where)).append(":\n  ")
                    .append(error.replace("\n", "\n  ")).append('\n'));
        }
        return md.toString();
    }

    /** A Markdown table with padded columns, so it lines up in plain text as well. */
    private static void appendTable(StringBuilder md, List<String[]> cells) {
        int columns = cells.getFirst().length;
        int[] width = new int[columns];
        for (String[] row : cells) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], escape(row[c]).length());
            }
        }
        for (int i = 0; i < cells.size(); i++) {
            md.append('|');
            for (int c = 0; c < columns; c++) {
                md.append(' ').append(pad(escape(cells.get(i)[c]), width[c])).append(" |");
            }
            md.append('\n');
            if (i == 0) {
                md.append('|');
                for (int c = 0; c < columns; c++) {
                    md.append(' ').append("-".repeat(width[c])).append(" |");
                }
                md.append('\n');
            }
        }
    }

    private static String escape(String cell) {
        return cell.replace("|", "\\|").replace("\n", " ");
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
