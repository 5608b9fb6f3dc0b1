package io.jrunc.it.conformance;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.ShimUnderTest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.TestAbortedException;

/**
 * The differential conformance matrix: every {@link ConformanceMatrix#SCENARIOS scenario} × {GO, JAVA} ×
 * every containerd release of this run ({@code -Djrunc.it.conformance.versions}, see {@link ConformanceMatrix}).
 * One private containerd per release serves all cells of its column; each cell runs in a {@link CellRun} of its
 * own and is recorded in {@link ConformanceReport} (target/conformance/conformance.md). A failing cell prints
 * containerd's log (shim logs included) since the cell began.
 *
 * <pre>
 * mvn -B -o -pl integration-tests verify -Dit.test='io/jrunc/it/conformance/*IT'                       # 1.6
 * mvn -B -o -pl integration-tests verify -Dit.test='io/jrunc/it/conformance/*IT' -Pconformance-full   # 1.6, 1.7, 2.1
 * </pre>
 */
@ParameterizedClass(name = "containerd {0}")
@MethodSource("io.jrunc.it.conformance.ConformanceMatrix#versions")
class ConformanceIT {
    private static final Duration CELL_TIMEOUT = Duration.ofMinutes(3);
    private static final int LOG_LINES_ON_FAILURE = 150;
    private static ReleaseDaemon daemon;

    private final String version;

    ConformanceIT(String version) {
        this.version = version;
    }

    @BeforeParameterizedClassInvocation
    static void startContainerd(String version) {
        daemon = ReleaseDaemon.start(version);
    }

    @AfterParameterizedClassInvocation
    static void stopContainerd() {
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
    }

    @TestFactory
    Stream<DynamicContainer> matrix() {
        return ConformanceMatrix.selectedScenarios().stream().map(scenario -> dynamicContainer(scenario.name(),
                Arrays.stream(ShimUnderTest.values()).map(shim -> dynamicTest(shim + " on containerd " + version,
                        () -> cell(scenario, shim)))));
    }

    private void cell(ConformanceScenario scenario, ShimUnderTest shim) throws Throwable {
        Instant began = Instant.now();
        PrivateContainerd containerd = null;
        long logOffset = 0;
        try {
            containerd = daemon.containerd();
            shim.requireInstalled();
            logOffset = containerd.logFile().toFile().length();
            PrivateContainerd ctd = containerd;
            List<String> notes = Assertions.assertTimeoutPreemptively(CELL_TIMEOUT, () -> {
                try (CellRun run = new CellRun(ctd, daemon.rootfs(), shim)) {
                    scenario.run(run);
                    return run.notes();
                }
            }, () -> scenario.name() + " on containerd " + version + " with " + shim);
            record(scenario, shim, CellResult.Outcome.PASS, "", began, notes);
        } catch (TestAbortedException e) {
            record(scenario, shim, CellResult.Outcome.NOT_RUN, e.getMessage(), began, List.of());
            throw e;
        } catch (Throwable t) {
            record(scenario, shim, CellResult.Outcome.FAIL, CellResult.describe(t), began, List.of());
            if (containerd != null) {
                System.err.println("=== conformance " + scenario.name() + " / containerd " + version + " / " + shim
                        + " failed: " + t + "\n=== containerd log since the cell began (" + containerd.logFile() + "):\n"
                        + logSince(containerd, logOffset) + "\n=== end of log");
            }
            throw t;
        }
    }

    private void record(ConformanceScenario scenario, ShimUnderTest shim, CellResult.Outcome outcome, String message,
                        Instant began, List<String> notes) {
        ConformanceReport.get().record(new CellResult(scenario.name(), shim, version, outcome, message,
                Duration.between(began, Instant.now()), notes));
    }

    private static String logSince(PrivateContainerd containerd, long offset) {
        try (RandomAccessFile f = new RandomAccessFile(containerd.logFile().toFile(), "r")) {
            long from = Math.min(offset, f.length());
            byte[] bytes = new byte[(int) Math.min(f.length() - from, 4 << 20)];
            f.seek(from);
            f.readFully(bytes);
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_ON_FAILURE), lines.size()));
        } catch (IOException e) {
            return "(containerd log unreadable: " + e + ")";
        }
    }
}
