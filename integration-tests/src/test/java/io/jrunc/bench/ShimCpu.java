package io.jrunc.bench;

import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.ttrpc.CallOptions;
import io.jrunc.ttrpc.TtrpcClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * CPU a shim process spent itself (user + system, not its children such as runc), read from /proc for the
 * process that answers Connect on a socket. Robust to a busy machine where wall times are not: a shim that
 * needs more CPU per call leaves less to everyone else.
 */
final class ShimCpu {
    /** What {@link #ticks} returns when it could not read the figure: sums with it come out negative. */
    static final long UNKNOWN = Long.MIN_VALUE / 4;
    private static final CallOptions CALL = CallOptions.none().withTimeout(Duration.ofSeconds(30));

    private ShimCpu() {}

    /** utime + stime of the process serving {@code socket}, in clock ticks (100 per second on Linux). */
    static long ticks(Path socket) {
        try (TtrpcClient client = TtrpcClient.connect(socket)) {
            int pid = client.call(StateRoundTripBench.TASK_SERVICE, "Connect", ConnectRequest.getDefaultInstance(),
                    ConnectResponse.parser(), CALL).getShimPid();
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
        } catch (Exception e) {
            return UNKNOWN;
        }
    }

    /** Microseconds per operation, or "n/a". */
    static String microsPer(Long ticks, long operations) {
        if (ticks == null || ticks < 0 || operations == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.1f", ticks * 10_000.0 / operations);
    }
}
