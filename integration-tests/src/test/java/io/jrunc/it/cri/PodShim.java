package io.jrunc.it.cri;

import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimDaemon;
import io.jrunc.it.harness.UnixSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shim daemon behind a CRI pod's containers, found from their bundles: containerd 1.x keeps the shim's
 * address in the bundle's {@code address} file, 2.x in {@code bootstrap.json} ({@code "address"} field).
 */
final class PodShim {
    private static final Pattern BOOTSTRAP_ADDRESS = Pattern.compile("\"address\"\\s*:\\s*\"([^\"]+)\"");

    private PodShim() {
    }

    /** The socket the shim of container (or sandbox) {@code id} listens on, as its bundle records it. */
    static Path socket(PrivateContainerd ctd, String id) {
        Path bundle = ctd.bundle(BusyboxImages.CRI_NAMESPACE, id);
        if (Files.exists(bundle.resolve("address"))) {
            return ShimAddress.fromBundle(bundle);
        }
        Path bootstrap = bundle.resolve("bootstrap.json");
        try {
            String json = Files.readString(bootstrap);
            Matcher m = BOOTSTRAP_ADDRESS.matcher(json);
            if (!m.find()) {
                throw new AssertionError("no address in " + bootstrap + ": " + json);
            }
            return ShimAddress.socketPath(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException("no shim address (address or bootstrap.json) in " + bundle, e);
        }
    }

    /** Pids listening on {@link #socket}. */
    static List<Long> listeners(PrivateContainerd ctd, String id) {
        return UnixSockets.listeners(socket(ctd, id));
    }

    /**
     * The one daemon serving {@code sandboxId}: who listens on the sandbox's socket, and whose command line is
     * that of its daemon; fails unless both ways name the same single process.
     */
    static long daemonOf(PrivateContainerd ctd, String sandboxId) {
        List<Long> bySocket = listeners(ctd, sandboxId);
        List<Long> byCommandLine = ShimDaemon.byCommandLine(ctd, BusyboxImages.CRI_NAMESPACE, sandboxId);
        if (bySocket.size() != 1 || !bySocket.equals(byCommandLine)) {
            throw new AssertionError("expected exactly one shim daemon for sandbox " + sandboxId + ": listening on "
                    + socket(ctd, sandboxId) + " " + bySocket + ", by command line " + byCommandLine);
        }
        return bySocket.getFirst();
    }

    /** Every long-running shim process (no start/delete action) serving {@code ctd}, by command line. */
    static List<Procs.ProcInfo> daemonsOf(PrivateContainerd ctd) {
        return Procs.all().stream().filter(p -> {
            List<String> args = List.of(p.cmdline().split(" "));
            int at = args.indexOf("-address");
            return at >= 0 && at + 1 < args.size() && args.get(at + 1).equals(ctd.grpcSocket().toString())
                    && args.contains("-id") && !args.contains("start") && !args.contains("delete");
        }).toList();
    }
}
