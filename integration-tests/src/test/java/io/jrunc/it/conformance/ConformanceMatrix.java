package io.jrunc.it.conformance;

import io.jrunc.it.harness.ContainerdDistribution;
import java.util.Arrays;
import java.util.List;

/**
 * What the matrix spans: scenarios (rows) × shims × containerd releases. The releases come from
 * {@code -Djrunc.it.conformance.versions=1.6,1.7,2.1} (the {@code conformance-full} Maven profile sets all
 * three); the default is {@value #DEFAULT_VERSIONS}, which needs nothing beyond the system's containerd.
 */
final class ConformanceMatrix {
    static final String VERSIONS_PROPERTY = "jrunc.it.conformance.versions";
    static final String DEFAULT_VERSIONS = "1.6";
    /** Runs only some rows, e.g. {@code -Djrunc.it.conformance.scenarios=events,exec} (default: all). */
    static final String SCENARIOS_PROPERTY = "jrunc.it.conformance.scenarios";

    static final List<ConformanceScenario> SCENARIOS = List.of(
            new LifecycleScenario(),
            new StdinScenario(),
            new ExecScenario(),
            new KillScenario(),
            new PauseResumeScenario(),
            new UpdateScenario(),
            new MetricsScenario(),
            new EventsScenario(),
            new ConcurrentStartScenario(),
            new NeighbourIsolationScenario(),
            new ContainerdRestartScenario(),
            new ShimKillScenario(),
            new ErrorCodesScenario());

    private ConformanceMatrix() {
    }

    /** The rows this run covers: all, or those named by {@value #SCENARIOS_PROPERTY}; an unknown name is an error. */
    static List<ConformanceScenario> selectedScenarios() {
        String wanted = System.getProperty(SCENARIOS_PROPERTY, "").strip();
        if (wanted.isEmpty()) {
            return SCENARIOS;
        }
        List<String> names = Arrays.stream(wanted.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String name : names) {
            if (SCENARIOS.stream().noneMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException("-D" + SCENARIOS_PROPERTY + ": unknown scenario " + name + ", known: "
                        + SCENARIOS.stream().map(ConformanceScenario::name).toList());
            }
        }
        return SCENARIOS.stream().filter(s -> names.contains(s.name())).toList();
    }

    /** The releases this run covers, in the order given; an unknown one is an error, not a skip. */
    static List<String> versions() {
        List<String> versions = Arrays.stream(System.getProperty(VERSIONS_PROPERTY, DEFAULT_VERSIONS).split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
        for (String v : versions) {
            if (!ContainerdDistribution.VERSIONS.contains(v)) {
                throw new IllegalArgumentException("-D" + VERSIONS_PROPERTY + ": unknown containerd version " + v
                        + ", known: " + ContainerdDistribution.VERSIONS);
            }
        }
        return versions;
    }
}
