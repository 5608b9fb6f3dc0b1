package io.jrunc.it.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.FileTrees;
import io.jrunc.it.harness.ItPaths;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.ShimDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The release archive as an operator uses it: unpacked into a fresh directory, installed with its own
 * {@code bin/jrunc-install} under a temporary prefix, and used by a private containerd whose PATH has
 * that prefix's bin and no JDK, with JAVA_HOME unset: a container and an exec run through it, and the
 * shim daemon's executable is the archive's own Java runtime under the prefix. The archive ships what runs:
 * no jar of the tests' gRPC client (gRPC, Guava and their companions) and no containerd client or CRI classes.
 */
class ReleaseArchiveIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** Jars only the integration tests' containerd/CRI client (gRPC) needs; none of them may ship. */
    private static final Pattern TEST_CLIENT_JAR = Pattern.compile("(grpc-|guava-|failureaccess-|listenablefuture-"
            + "|perfmark-|proto-google-common-protos-|javax\\.annotation-|jsr305-|error_prone_annotations-"
            + "|j2objc-annotations-|animal-sniffer-annotations-|checker-qual-).*\\.jar");
    private static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @Test
    void unpackedInstalledArchiveRunsContainersWithoutAJdk() throws Exception {
        Path archive = ItPaths.releaseArchive();
        assertTrue(Files.isRegularFile(archive), "release archive " + archive);
        String name = archive.getFileName().toString();
        assertTrue(name.matches("jrunc-[0-9A-Za-z.]+(-SNAPSHOT)?-([0-9a-f]{4,}|unknown)-linux-amd64\\.tar\\.gz"), name);
        String revision = name.replaceAll("^jrunc-.*-([0-9a-f]+|unknown)-linux-amd64\\.tar\\.gz$", "$1");

        Path tmp = Files.createTempDirectory("jrunc-release-it-");
        try {
            Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
            run(List.of("tar", "-xzf", archive.toString(), "-C", unpacked.toString())).orThrow();
            Path home;
            try (Stream<Path> top = Files.list(unpacked)) {
                List<Path> dirs = top.toList();
                assertEquals(1, dirs.size(), "one top directory in the archive: " + dirs);
                home = dirs.getFirst();
            }
            assertTrue(Files.isExecutable(home.resolve("runtime/bin/java")), "the archive bundles a Java runtime");
            assertTrue(Files.isRegularFile(home.resolve("lib/jrunc.aot")), "the archive bundles an AOT cache");
            assertShipsOnlyWhatRuns(home.resolve("lib"));

            Path prefix = tmp.resolve("prefix");
            CommandResult install = run(List.of(home.resolve("bin/jrunc-install").toString(), prefix.toString())).orThrow();
            Path shim = prefix.resolve("bin/containerd-shim-jrunc-v2");
            assertTrue(Files.isExecutable(shim), install.describe());
            assertTrue(!install.stderr().contains("rebuilding the AOT cache"),
                    "the archive's AOT cache fits its runtime after install: " + install.describe());

            CommandResult version = run(List.of(shim.toString(), "-v")).orThrow();
            assertTrue(version.stdout().strip().matches("jrunc runc runtime \\S+ \\(revision " + revision + "\\)"),
                    version.describe());

            Map<String, String> env = new HashMap<>();
            env.put("PATH", prefix.resolve("bin") + ":" + SYSTEM_PATH);
            env.put("JAVA_HOME", PrivateContainerd.UNSET);
            env.put("JRUNC_JAVA_HOME", PrivateContainerd.UNSET);
            try (PrivateContainerd ctd = PrivateContainerd.start(env); BusyboxRootfs rootfs = BusyboxRootfs.create()) {
                String ns = ctd.newNamespace();
                Ctr ctr = ctd.ctr(ns);

                CommandResult echo = ctr.run("run", "--rm", "--runtime", "io.containerd.jrunc.v2", "--rootfs",
                        rootfs.path().toString(), "rel-echo", "/bin/echo", "hello from the archive");
                assertEquals(0, echo.exitCode(), echo.describe());
                assertEquals("hello from the archive", echo.stdout().strip(), echo.describe());

                ctr.ok("run", "-d", "--runtime", "io.containerd.jrunc.v2", "--rootfs", rootfs.path().toString(),
                        "rel-sleep", "/bin/sleep", "300");
                CommandResult exec = ctr.run("task", "exec", "--exec-id", "e1", "rel-sleep",
                        "/bin/sh", "-c", "echo exec output; exit 3");
                assertEquals(3, exec.exitCode(), exec.describe());
                assertEquals("exec output", exec.stdout().strip(), exec.describe());

                // The daemon listening on the container's socket (it was started for rel-echo: one per namespace).
                List<Long> listeners = ShimDaemon.bySocket(ctd, ns, "rel-sleep");
                assertEquals(1, listeners.size(), "one shim daemon listens on rel-sleep's socket: " + listeners);
                long daemon = listeners.getFirst();
                Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(daemon), "exe"));
                Path realPrefix = prefix.toRealPath();
                assertTrue(exe.startsWith(realPrefix.resolve("lib")) && exe.endsWith("runtime/bin/java"),
                        "the shim daemon runs the installed archive's Java runtime, not a JDK: " + exe);

                CommandResult status = run(List.of(shim.toString(), "status", "-json")).orThrow();
                assertTrue(status.stdout().contains("\"namespace\":\"" + ns + "\"")
                        || status.stdout().contains("\"namespace\": \"" + ns + "\""), status.describe());
                assertTrue(status.stdout().contains("(revision " + revision + ")"), "status shows the daemon's version: "
                        + status.describe());

                ctr.ok("task", "kill", "-s", "KILL", "rel-sleep");
                waitUntilStopped(ctr, "rel-sleep");
                ctr.ok("task", "delete", "rel-sleep");
                ctr.ok("container", "delete", "rel-sleep");
            }
        } finally {
            FileTrees.deleteRecursively(tmp);
        }
    }

    /**
     * lib/ holds the shim's jars and none of the test client's, and jrunc-proto holds the shim's wire schemas
     * only: no gRPC stubs, no containerd client services (containers, tasks, events, namespaces, version) and no
     * CRI, which are generated in the integration tests.
     */
    private static void assertShipsOnlyWhatRuns(Path lib) throws IOException {
        List<String> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
        }
        assertEquals(List.of(), jars.stream().filter(n -> TEST_CLIENT_JAR.matcher(n).matches()).toList(),
                "jars only the tests' gRPC client needs are not shipped; lib/ has " + jars);
        assertTrue(jars.stream().anyMatch(n -> n.startsWith("protobuf-java-")), "lib/ has protobuf-java: " + jars);
        List<String> protoJars = jars.stream().filter(n -> n.startsWith("jrunc-proto-")).toList();
        assertEquals(1, protoJars.size(), "one jrunc-proto jar in lib/: " + jars);
        try (ZipFile proto = new ZipFile(lib.resolve(protoJars.getFirst()).toFile())) {
            List<String> names = proto.stream().map(ZipEntry::getName).toList();
            assertTrue(names.contains("io/jrunc/proto/task/v2/CreateTaskRequest.class"), "the shim API is there");
            List<String> clientOnly = names.stream()
                    .filter(n -> !n.endsWith("/"))
                    .filter(n -> n.contains("Grpc") || n.startsWith("io/jrunc/proto/cri/") || n.startsWith("k8s/")
                            || clientService(n, "io/jrunc/proto/services/") || clientService(n, "containerd/services/"))
                    .toList();
            assertEquals(List.of(), clientOnly, "jrunc-proto ships no client or CRI schemas");
        }
    }

    /** A class or .proto under a services root other than the ttrpc events service (which the shim calls). */
    private static boolean clientService(String entry, String servicesRoot) {
        return entry.startsWith(servicesRoot) && !entry.startsWith(servicesRoot + "events/ttrpc/");
    }

    private static void waitUntilStopped(Ctr ctr, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (ctr.task(id).map(t -> t.status().equals("STOPPED")).orElse(true)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(id + " did not stop: " + ctr.task(id));
    }

    /** Runs a command with the system PATH only and without JAVA_HOME (no JDK in sight). */
    private static CommandResult run(List<String> command) throws IOException {
        return Command.run(TIMEOUT, command, Map.of("PATH", SYSTEM_PATH, "JAVA_HOME", "", "JRUNC_JAVA_HOME", ""));
    }
}
