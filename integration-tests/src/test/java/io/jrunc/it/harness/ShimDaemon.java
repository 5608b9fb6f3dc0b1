package io.jrunc.it.harness;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The long-running shim process of one container, found two independent ways: by who listens on
 * the socket named in the bundle's {@code address} file, and by its command line ({@code -namespace
 * <ns> -id <id> -address <containerd socket>} without a {@code start}/{@code delete} action).
 */
public final class ShimDaemon {
    private ShimDaemon() {
    }

    /** Pids listening on the socket named in the bundle's {@code address} file. */
    public static List<Long> bySocket(PrivateContainerd ctd, String namespace, String id) {
        return UnixSockets.listeners(ShimAddress.fromBundle(ctd.bundle(namespace, id)));
    }

    /** Pids whose command line is that of the daemon serving container {@code id} of this containerd. */
    public static List<Long> byCommandLine(PrivateContainerd ctd, String namespace, String id) {
        return Procs.all().stream()
                .filter(p -> isDaemonOf(p.cmdline(), ctd.grpcSocket(), namespace, id))
                .map(Procs.ProcInfo::pid)
                .toList();
    }

    /**
     * The one daemon pid both ways agree on; fails (with what was seen) if there is none, more than
     * one, or the two ways disagree.
     */
    public static long pid(PrivateContainerd ctd, String namespace, String id) {
        List<Long> socket = bySocket(ctd, namespace, id);
        List<Long> cmd = byCommandLine(ctd, namespace, id);
        if (socket.size() != 1 || !socket.equals(cmd)) {
            throw new AssertionError("expected exactly one shim daemon for " + namespace + "/" + id
                    + ": listening on its socket " + describe(socket) + ", by command line " + describe(cmd));
        }
        return socket.getFirst();
    }

    static boolean isDaemonOf(String cmdline, Path grpcSocket, String namespace, String id) {
        List<String> args = Arrays.asList(cmdline.split(" "));
        return follows(args, "-namespace", namespace)
                && follows(args, "-id", id)
                && follows(args, "-address", grpcSocket.toString())
                && !args.contains("start")
                && !args.contains("delete");
    }

    private static boolean follows(List<String> args, String flag, String value) {
        int i = args.indexOf(flag);
        return i >= 0 && i + 1 < args.size() && args.get(i + 1).equals(value);
    }

    private static String describe(List<Long> pids) {
        return pids.stream().map(p -> p + " (" + Procs.cmdline(p).orElse("gone") + ")").toList().toString();
    }
}
