package io.jrunc.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/**
 * Resident memory of processes from /proc/PID/smaps_rollup. RSS counts every page a process maps;
 * PSS divides shared pages among their sharers, so PSS summed over a set of processes is what the
 * set really costs the machine.
 */
record SmapsRollup(long rssBytes, long pssBytes) {

    static final SmapsRollup ZERO = new SmapsRollup(0, 0);

    /** The process's totals, or empty if it is gone (or not readable). */
    static Optional<SmapsRollup> of(long pid) {
        long rss = -1;
        long pss = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Rss:")) {
                    rss = kib(line);
                } else if (line.startsWith("Pss:")) {
                    pss = kib(line);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return rss < 0 || pss < 0 ? Optional.empty() : Optional.of(new SmapsRollup(rss * 1024, pss * 1024));
    }

    /** Sum over {@code pids}; processes that vanished meanwhile count as nothing. */
    static SmapsRollup sum(Collection<Long> pids) {
        SmapsRollup total = ZERO;
        for (long pid : pids) {
            SmapsRollup one = of(pid).orElse(ZERO);
            total = new SmapsRollup(total.rssBytes + one.rssBytes, total.pssBytes + one.pssBytes);
        }
        return total;
    }

    private static long kib(String line) {
        // "Rss:               85928 kB"
        String[] f = line.strip().split("\\s+");
        return Long.parseLong(f[1]);
    }
}
