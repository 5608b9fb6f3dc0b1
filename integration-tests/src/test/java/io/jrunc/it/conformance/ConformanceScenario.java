package io.jrunc.it.conformance;

/**
 * One row of the matrix: a behaviour a containerd client relies on, written once and run against every shim
 * on every containerd release. GO (that release's own Go shim) is the reference: a scenario failing for GO
 * is a wrong scenario, one failing only for JAVA is a jrunc bug.
 */
interface ConformanceScenario {
    /** Short row name for the report, e.g. "exec". */
    String name();

    /** What is checked, one line. */
    String summary();

    void run(CellRun run) throws Exception;
}
