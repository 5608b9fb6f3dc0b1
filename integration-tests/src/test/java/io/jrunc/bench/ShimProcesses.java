package io.jrunc.bench;

import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimUnderTest;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The long-running shim daemons serving one containerd, by command line: the Go shim's
 * {@code containerd-shim-runc-v2 -namespace .. -id .. -address <containerd socket>} and our JVM's
 * {@code java ... io.jrunc.launcher.Main -namespace .. -id .. -address <containerd socket>}, without a
 * {@code start}/{@code delete} action (those are short-lived and not part of the steady state).
 */
final class ShimProcesses {
    static final String JAVA_MAIN = "io.jrunc.launcher.Main";

    private ShimProcesses() {
    }

    /** Daemons of {@code kind} serving {@code containerd}. */
    static List<Long> daemons(PrivateContainerd containerd, ShimUnderTest kind) {
        return Procs.all().stream()
                .filter(p -> kindOf(p.cmdline(), containerd.grpcSocket()).equals(Optional.of(kind)))
                .map(Procs.ProcInfo::pid)
                .toList();
    }

    /** Which shim daemon of this containerd a command line is, if any. */
    static Optional<ShimUnderTest> kindOf(String cmdline, Path grpcSocket) {
        List<String> args = Arrays.asList(cmdline.split(" "));
        int address = args.indexOf("-address");
        if (address < 0 || address + 1 >= args.size() || !args.get(address + 1).equals(grpcSocket.toString())
                || args.contains("start") || args.contains("delete")) {
            return Optional.empty();
        }
        if (args.getFirst().endsWith("/" + ShimUnderTest.GO.binaryName()) || args.getFirst().equals(ShimUnderTest.GO.binaryName())) {
            return Optional.of(ShimUnderTest.GO);
        }
        if (args.contains(JAVA_MAIN)) {
            return Optional.of(ShimUnderTest.JAVA);
        }
        return Optional.empty();
    }
}
