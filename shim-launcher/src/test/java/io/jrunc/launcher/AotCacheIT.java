package io.jrunc.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.ShutdownRequest;
import io.jrunc.ttrpc.TtrpcClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built dist (target/dist, after {@code package}) runs with its AOT cache: the JVM accepts it
 * in strict mode ({@code -XX:AOTMode=on} fails when the cache is unusable, e.g. a class path or JDK
 * mismatch, which otherwise only prints "[error][aot] shared class paths mismatch" and runs slow),
 * the daemon's own classes come from it, and no native library is copied to the temp directory.
 */
class AotCacheIT {
    private static final Path DIST = Path.of(System.getProperty("jrunc.dist", "target/dist")).toAbsolutePath();
    private static final Path LAUNCHER = DIST.resolve("bin/containerd-shim-jrunc-v2");

    @TempDir
    Path tmp;

    @Test
    void theJvmAcceptsTheCacheInStrictMode() {
        assertTrue(Files.isRegularFile(DIST.resolve("lib/jrunc.aot")), "no AOT cache in " + DIST);
        Sh.Result r = Sh.run(List.of(LAUNCHER.toString(), "-v"), Map.of("JRUNC_JAVA_OPTS", "-XX:AOTMode=on"), tmp);
        assertEquals(0, r.code(), r.describe());
        assertTrue(r.out().startsWith("jrunc runc runtime "), r.describe());
        assertEquals("", r.stderr());
    }

    @Test
    void theDaemonRunsFromTheCacheAndExtractsNoNativeLibrary() throws Exception {
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        Path scratch = Files.createDirectories(tmp.resolve("java-tmp"));
        Path classLog = tmp.resolve("classes.log");
        Path socket = tmp.resolve("d.sock");
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "-namespace", "aot-it", "-id", "c1", "-address",
                tmp.resolve("ctd.sock").toString(), "-socket", socket.toString()).directory(bundle.toFile());
        builder.environment().put("JRUNC_JAVA_OPTS", "-XX:AOTMode=on -Djava.io.tmpdir=" + scratch
                + " -Xlog:class+load=info:file=" + classLog);
        builder.environment().put("JRUNC_GROUPING", "container");
        Process daemon = builder.redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(socket) && daemon.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            try (TtrpcClient client = TtrpcClient.connect(socket)) {
                ConnectResponse connect = client.call("containerd.task.v2.Task", "Connect",
                        ConnectRequest.newBuilder().setId("c1").build(), ConnectResponse.parser());
                assertEquals(daemon.pid(), connect.getShimPid());
                client.call("containerd.task.v2.Task", "Shutdown", ShutdownRequest.newBuilder().setId("c1").build(), Empty.parser());
            }
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS), "the daemon exits on Shutdown");
            assertEquals(0, daemon.exitValue(), new String(daemon.getInputStream().readAllBytes()));
        } finally {
            daemon.destroyForcibly();
        }

        // Hidden classes the JDK spins at run time (e.g. a pattern switch's X$$TypeSwitch/0x...) cannot be archived.
        List<String> ours = Files.readAllLines(classLog).stream()
                .filter(l -> l.contains(" io.jrunc.") && !l.contains("/0x")).toList();
        List<String> notCached = ours.stream().filter(l -> !l.contains("source: shared objects file")).toList();
        assertTrue(ours.size() > 100, "the daemon loaded only " + ours.size() + " of our classes?");
        assertEquals(List.of(), notCached, "every class of ours comes from the AOT cache");
        try (Stream<Path> files = Files.list(scratch)) {
            assertEquals(List.of(), files.toList(), "jffi/Netty native libraries come from lib/native, not copies");
        }
        assertFalse(Files.exists(socket), "socket removed on exit");
    }
}
