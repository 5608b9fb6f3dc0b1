package io.jrunc.it.conformance;

import io.jrunc.it.harness.ItPaths;
import io.jrunc.it.harness.ShimUnderTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The matrix as Markdown: one row per scenario, one column per containerd release × shim, "pass"/"FAIL [n]"
 * with the time each cell took, the failure messages as numbered notes below. Rewritten after every cell to
 * integration-tests/target/conformance/conformance.md, so an interrupted run still leaves what it saw.
 */
final class ConformanceReport {
    private static final ConformanceReport INSTANCE = new ConformanceReport(
            ItPaths.logDir().getParent().resolve("conformance").resolve("conformance.md"));

    private final Path file;
    private final Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final List<CellResult> results = new ArrayList<>();
    /** Release → what its containerd binary says it is (or why it could not run). */
    private final Map<String, String> releases = new LinkedHashMap<>();

    private ConformanceReport(Path file) {
        this.file = file;
    }

    static ConformanceReport get() {
        return INSTANCE;
    }

    Path file() {
        return file;
    }

    synchronized void release(String version, String label) {
        releases.put(version, label);
        write();
    }

    synchronized void record(CellResult result) {
        results.add(result);
        write();
    }

    synchronized String render() {
        List<String> versions = new ArrayList<>(releases.keySet());
        results.stream().map(CellResult::version).filter(v -> !versions.contains(v)).forEach(versions::add);
        StringBuilder md = new StringBuilder();
        md.append("# jrunc conformance matrix\n\n");
        md.append("Run started ").append(started).append(". GO = the release's own `containerd-shim-runc-v2` ")
                .append("(`io.containerd.runc.v2`, the reference), JAVA = jrunc (`io.containerd.jrunc.v2`).\n\n");
        for (Map.Entry<String, String> r : releases.entrySet()) {
            md.append("- containerd ").append(r.getKey()).append(": ").append(cell(r.getValue())).append('\n');
        }
        md.append('\n');
        md.append("| scenario |");
        for (String v : versions) {
            for (ShimUnderTest shim : ShimUnderTest.values()) {
                md.append(' ').append(v).append(' ').append(shim).append(" |");
            }
        }
        md.append("\n|---|");
        md.append("---|".repeat(versions.size() * ShimUnderTest.values().length));
        md.append('\n');
        List<String> notes = new ArrayList<>();
        for (ConformanceScenario scenario : ConformanceMatrix.SCENARIOS) {
            if (results.stream().noneMatch(r -> r.scenario().equals(scenario.name()))) {
                continue;
            }
            md.append("| ").append(scenario.name()).append(" |");
            for (String v : versions) {
                for (ShimUnderTest shim : ShimUnderTest.values()) {
                    md.append(' ').append(outcome(scenario.name(), shim, v, notes)).append(" |");
                }
            }
            md.append('\n');
        }
        long pass = count(CellResult.Outcome.PASS);
        long fail = count(CellResult.Outcome.FAIL);
        long notRun = count(CellResult.Outcome.NOT_RUN);
        Duration total = results.stream().map(CellResult::took).reduce(Duration.ZERO, Duration::plus);
        md.append("\n").append(pass).append(" passed, ").append(fail).append(" failed, ").append(notRun)
                .append(" not run; the cells took ").append(seconds(total)).append(" in all.\n");
        if (!notes.isEmpty()) {
            md.append("\n## Notes and failures\n\n");
            for (int i = 0; i < notes.size(); i++) {
                md.append(i + 1).append(". ").append(notes.get(i)).append('\n');
            }
        }
        md.append("\n## Scenarios\n\n");
        for (ConformanceScenario scenario : ConformanceMatrix.SCENARIOS) {
            md.append("- **").append(scenario.name()).append("**: ").append(cell(scenario.summary())).append('\n');
        }
        return md.toString();
    }

    private String outcome(String scenario, ShimUnderTest shim, String version, List<String> notes) {
        CellResult r = results.stream()
                .filter(x -> x.scenario().equals(scenario) && x.shim() == shim && x.version().equals(version))
                .reduce((a, b) -> b).orElse(null);
        if (r == null) {
            return "–";
        }
        return switch (r.outcome()) {
            case PASS -> {
                if (r.notes().isEmpty()) {
                    yield "pass " + seconds(r.took());
                }
                notes.add(scenario + " / " + version + " / " + shim + " (passed with a note): " + cell(String.join("; ", r.notes())));
                yield "pass " + seconds(r.took()) + " [" + notes.size() + "]";
            }
            case FAIL -> {
                notes.add(scenario + " / " + version + " / " + shim + ": " + cell(r.message()));
                yield "**FAIL** [" + notes.size() + "]";
            }
            case NOT_RUN -> {
                notes.add(scenario + " / " + version + " / " + shim + " (not run): " + cell(r.message()));
                yield "not run [" + notes.size() + "]";
            }
        };
    }

    private long count(CellResult.Outcome outcome) {
        return results.stream().filter(r -> r.outcome() == outcome).count();
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** Text safe inside a Markdown table cell or list item. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ").replace("\r", " ");
    }

    private void write() {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, render());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the conformance report " + file, e);
        }
    }
}
