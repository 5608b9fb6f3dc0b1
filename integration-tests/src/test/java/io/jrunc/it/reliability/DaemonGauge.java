package io.jrunc.it.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** A process's open fds, threads and resident memory, read from /proc at one moment. */
record DaemonGauge(long pid, int fds, int threads, long rssKb) {

    static DaemonGauge of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        return new DaemonGauge(pid, count(proc.resolve("fd")), count(proc.resolve("task")), rssKb(proc.resolve("status")));
    }

    private static int count(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return (int) entries.count();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + " (process gone?)", e);
        }
    }

    private static long rssKb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + status, e);
        }
        throw new IllegalStateException("no VmRSS in " + status);
    }

    @Override
    public String toString() {
        return "fds " + fds + ", threads " + threads + ", RSS " + rssKb / 1024 + " MB";
    }
}
