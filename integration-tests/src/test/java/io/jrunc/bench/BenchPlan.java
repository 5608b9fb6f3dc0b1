package io.jrunc.bench;

import java.util.List;

/**
 * How much of each workload to run: the full plan for numbers worth quoting, the quick one to check
 * that everything works (and to get a rough picture) in a few minutes.
 *
 * @param lifecycleRuns timed {@code ctr run --rm /bin/true} runs per shim (after one warm-up each)
 * @param execRuns timed {@code ctr task exec /bin/true} runs per shim
 * @param stateWarmup Task.State calls per shim before timing starts
 * @param stateCalls timed Task.State calls per shim
 * @param stdioBytes bytes a container writes to stdout (and, in another run, to stderr)
 * @param stdioRuns timed runs per shim and stream
 * @param memoryCounts numbers of running containers at which shim memory is measured
 * @param floorRuns timed {@code runc run /bin/true} runs
 */
record BenchPlan(String name, int lifecycleRuns, int execRuns, int stateWarmup, int stateCalls, long stdioBytes,
                 int stdioRuns, List<Integer> memoryCounts, int floorRuns) {

    static final long MIB = 1L << 20;

    static BenchPlan full() {
        return new BenchPlan("full", 15, 15, 500, 2000, 1024 * MIB, 3, List.of(1, 20, 100, 300), 15);
    }

    static BenchPlan quick() {
        return new BenchPlan("quick", 5, 5, 300, 1000, 256 * MIB, 3, List.of(1, 10), 5);
    }

    /** {@code --quick} selects the quick plan; anything else but no argument at all is a usage error. */
    static BenchPlan fromArgs(String[] args) {
        if (args.length == 0) {
            return full();
        }
        if (args.length == 1 && args[0].equals("--quick")) {
            return quick();
        }
        throw new IllegalArgumentException("usage: ShimBenchmark [--quick]  (got " + List.of(args) + ")");
    }
}
