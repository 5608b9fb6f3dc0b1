package io.jrunc.bench;

/** One benchmark workload: measures both shims and adds its rows (or reference lines) to the table. */
interface Workload {
    String title();

    /**
     * Runs the workload. A failure of one shim is recorded in its cell and the other shim still runs;
     * an exception escaping here marks the whole row failed. Must remove what it started.
     */
    void run(BenchSession session, ResultTable table) throws Exception;
}
