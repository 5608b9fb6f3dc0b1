package io.jrunc.launcher;

import io.jrunc.runc.RuncRuntime;
import io.jrunc.shim.AotTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the AOT cache ({@code containerd-shim-jrunc-v2 --aot-train FILE}): the shim
 * framework's workload with the runc runtime, in a scratch directory that is removed afterwards.
 * The JVM writes the cache when this exits.
 */
public final class AotTrainingMain {
    /** Our packages whose classes all go into the cache, even those the workload does not reach. */
    static final List<String> PACKAGES = List.of("io/jrunc/shim/", "io/jrunc/ttrpc/", "io/jrunc/posix/", "io/jrunc/runc/",
            "io/jrunc/launcher/");

    private AotTrainingMain() {}

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("jrunc-aot-");
        try {
            int loaded = AotTraining.run(new RuncRuntime(), work, PACKAGES);
            System.err.println("AOT training done, " + loaded + " classes of " + PACKAGES + " loaded");
        } finally {
            deleteTree(work);
        }
        System.exit(0); // the daemon's non-daemon threads (event loop) may linger
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
