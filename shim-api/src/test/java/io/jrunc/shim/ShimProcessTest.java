package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import io.jrunc.posix.Errno;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.ShutdownRequest;
import io.jrunc.ttrpc.CallOptions;
import io.jrunc.ttrpc.TtrpcClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shim as containerd runs it: separate JVMs, exact stdout/stderr, exit codes. */
class ShimProcessTest {
    private static final String TASK = "containerd.task.v2.Task";
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @TempDir
    Path tmp;
    private Path bundle;
    private Path socketDir;

    @BeforeEach
    void setUp() throws Exception {
        bundle = Files.createDirectory(tmp.resolve("bundle"));
        socketDir = tmp.resolve("s");
        Files.writeString(bundle.resolve("config.json"), "{}");
    }

    private List<String> jvm() {
        return new ArrayList<>(List.of(JAVA.toString(), "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-D" + Shim.SOCKET_DIR_PROPERTY + "=" + socketDir,
                "-cp", System.getProperty("java.class.path")));
    }

    private record Result(int code, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private Result run(List<String> jvmArgs, byte[] stdin, String... args) throws Exception {
        List<String> command = jvm();
        command.addAll(jvmArgs);
        command.add(ShimTestMain.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(bundle.toFile());
        builder.environment().put("TTRPC_ADDRESS", tmp.resolve("ctd.sock.ttrpc").toString());
        // One daemon per container: these tests follow one daemon from start to exit.
        builder.environment().put(ShimSettings.GROUPING_ENV, "pod");
        builder.environment().put(ShimSettings.CONFIG_ENV, tmp.resolve("no-config.toml").toString());
        Process process = builder.start();
        try {
            process.getOutputStream().write(stdin);
            process.getOutputStream().close();
            // Like containerd: read to end of file, which only comes when every holder of the pipe closed it.
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            byte[] stdout = out.get(60, TimeUnit.SECONDS);
            String stderr = new String(err.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            return new Result(process.exitValue(), stdout, stderr);
        } finally {
            process.destroyForcibly();
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void versionIsPrintedAlone() throws Exception {
        Result r = run(List.of(), new byte[0], "-v");
        assertEquals(0, r.code());
        assertEquals(FakeShimRuntime.VERSION + "\n", r.out());
        assertEquals("", r.stderr());
    }

    @Test
    void aBadCommandLineIsOneLineOnStderrAndExit1() throws Exception {
        Result r = run(List.of(), new byte[0], "-namespace", "ns", "start");
        assertEquals(1, r.code());
        assertEquals("", r.out());
        assertTrue(r.stderr().startsWith("containerd-shim-jrunc-v2: missing -id, -address"), r.stderr());
        assertEquals(1, r.stderr().lines().count(), r.stderr());
    }

    @Test
    void deletePrintsOnlyTheProtobuf() throws Exception {
        Result r = run(List.of(), new byte[0], "-namespace", "ns", "-address", "/a.sock", "-publish-binary",
                "/usr/bin/containerd", "-id", "c1", "-bundle", bundle.toString(), "delete");
        assertEquals(0, r.code(), r.stderr());
        assertEquals("", r.stderr());
        DeleteResponse response = DeleteResponse.parseFrom(r.stdout());
        assertEquals(42, response.getPid());
        assertEquals(137, response.getExitStatus());
        assertArrayEquals(response.toByteArray(), r.stdout());
    }

    @Test
    void aFailedDeleteSaysWhyOnOneLine() throws Exception {
        List<String> command = jvm();
        command.addAll(List.of(ShimTestMain.class.getName(), "-namespace", "ns", "-address", "/a", "-id", "c1", "delete"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(bundle.toFile());
        builder.environment().put("JRUNC_FAKE_FAIL", "cleanup");
        Process p = builder.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue());
        assertEquals(0, p.getInputStream().readAllBytes().length);
        assertEquals("containerd-shim-jrunc-v2: cannot clean up second line\n",
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void startLaunchesADaemonThatServesOnTheInheritedSocket() throws Exception {
        // The launcher the daemon is started with: a script running the same test main.
        Path launcher = tmp.resolve("launcher.sh");
        StringBuilder script = new StringBuilder("#!/bin/sh\nexec");
        for (String word : jvm()) {
            script.append(" '").append(word).append('\'');
        }
        script.append(" ").append(ShimTestMain.class.getName()).append(" \"$@\"\n");
        Files.writeString(launcher, script);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));

        // containerd creates the log fifo and keeps a reader on it.
        Process mkfifo = new ProcessBuilder("mkfifo", bundle.resolve("log").toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0);
        Posix posix = Posix.get();
        int logReader = posix.open(bundle.resolve("log"), Posix.O_RDONLY | Posix.O_NONBLOCK, 0);
        int daemonPid = 0;
        try {
            Result r = run(List.of("-D" + Shim.LAUNCHER_PROPERTY + "=" + launcher), "opts".getBytes(StandardCharsets.UTF_8),
                    "-namespace", "ns", "-address", "/run/ctd.sock", "-publish-binary", "/usr/bin/containerd",
                    "-id", "c1", "-debug", "start");
            ShimSocketAddress expected = ShimSocketAddress.of(socketDir, "/run/ctd.sock", "ns", "c1");
            assertEquals(0, r.code(), r.stderr());
            assertEquals(expected.toString(), r.out(), "exactly the address, nothing else");
            assertEquals("", r.stderr());
            assertEquals(expected.toString(), Files.readString(bundle.resolve("address")));
            assertEquals("opts", Files.readString(bundle.resolve("start-input")));

            // start has exited; requests wait in the backlog until the daemon JVM is up.
            try (TtrpcClient client = TtrpcClient.connect(expected.path())) {
                CallOptions options = CallOptions.none().withTimeout(Duration.ofSeconds(30));
                ConnectResponse connected = client.call(TASK, "Connect", ConnectRequest.newBuilder().setId("c1").build(),
                        ConnectResponse.parser(), options);
                daemonPid = connected.getShimPid();
                assertTrue(daemonPid > 0);
                ProcessHandle daemon = ProcessHandle.of(daemonPid).orElseThrow();
                String cmdline = Files.readString(Path.of("/proc", Integer.toString(daemonPid), "cmdline")).replace('\0', ' ');
                assertTrue(cmdline.endsWith(ShimTestMain.class.getName() + " -namespace ns -id c1 -address /run/ctd.sock -debug "),
                        cmdline);
                assertEquals(bundle.toRealPath(), Path.of("/proc", Integer.toString(daemonPid), "cwd").toRealPath());
                String log = readAvailable(posix, logReader);
                assertTrue(log.contains("level=info msg=\"starting shim daemon pid=" + daemonPid), log);

                assertEquals(Empty.getDefaultInstance(),
                        client.call(TASK, "Shutdown", ShutdownRequest.newBuilder().setId("c1").build(), Empty.parser(), options));
                assertTrue(daemon.onExit().get(30, TimeUnit.SECONDS) != null);
            }
            assertFalse(Files.exists(expected.path()), "the daemon removed its socket");
            assertTrue(readAvailable(posix, logReader).contains("shim daemon exiting: shutdown requested"));
        } finally {
            posix.close(logReader);
            if (daemonPid > 0) {
                ProcessHandle.of(daemonPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void sigtermEndsADaemonInOrder() throws Exception {
        Path socket = tmp.resolve("d.sock");
        List<String> command = jvm();
        command.addAll(List.of(ShimTestMain.class.getName(), "-namespace", "ns", "-id", "c1", "-address", "/a",
                "-socket", socket.toString()));
        Process daemon = new ProcessBuilder(command).directory(bundle.toFile()).redirectErrorStream(true).start();
        CompletableFuture<byte[]> output = CompletableFuture.supplyAsync(() -> readAll(daemon.getInputStream()));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Files.notExists(socket) && System.nanoTime() < deadline && daemon.isAlive()) {
                Thread.sleep(20);
            }
            try (TtrpcClient client = TtrpcClient.connect(socket)) {
                ConnectResponse connected = client.call(TASK, "Connect", ConnectRequest.newBuilder().setId("c1").build(),
                        ConnectResponse.parser(), CallOptions.none().withTimeout(Duration.ofSeconds(30)));
                assertEquals(daemon.pid(), connected.getShimPid());
            }
            daemon.destroy(); // SIGTERM
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
            String printed = new String(output.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            assertEquals(0, daemon.exitValue(), printed);
            assertFalse(Files.exists(socket));
            assertEquals("", printed, "the daemon never writes to stdout/stderr");
        } finally {
            daemon.destroyForcibly();
        }
    }

    /** What the non-blocking fifo reader can get now, waiting up to 10 s for the first bytes. */
    private static String readAvailable(Posix posix, int fd) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[65536];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                int n = posix.read(fd, buffer, 0, buffer.length);
                if (n > 0) {
                    out.write(buffer, 0, n);
                    continue;
                }
            } catch (PosixException e) {
                if (e.errno() != Errno.EAGAIN) {
                    throw e;
                }
            }
            if (out.size() > 0 || System.nanoTime() > deadline) {
                return out.toString(StandardCharsets.UTF_8);
            }
            Thread.sleep(50);
        }
    }
}
