package io.jrunc.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.shim.DaemonStateFile;
import io.jrunc.shim.Grouping;
import io.jrunc.shim.ShimSocketAddress;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script as containerd runs it, with a fake JDK whose "java" records its arguments:
 * the fast paths must answer without it, everything else must reach it with the arguments intact.
 */
class LauncherScriptTest {
    private static final String ADDRESS = "/run/ctd-test/containerd.sock";

    @TempDir
    Path tmp;
    private Path bundle;
    private Path socketDir;
    private Path javaArgs;
    private Path trace;
    private Map<String, String> env;
    private ServerSocketChannel daemonSocket;

    @BeforeEach
    void setUp() throws Exception {
        bundle = Files.createDirectories(tmp.resolve("bundle"));
        socketDir = Files.createDirectories(tmp.resolve("s"));
        javaArgs = tmp.resolve("java-args");
        trace = tmp.resolve("trace");
        Path fakeJava = Files.createDirectories(tmp.resolve("jdk/bin")).resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$FAKE_JAVA_ARGS\"\nprintf 'from the jvm'\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        env = new HashMap<>(Map.of("JRUNC_JAVA_HOME", tmp.resolve("jdk").toString(), "FAKE_JAVA_ARGS", javaArgs.toString(),
                "JRUNC_SOCKET_DIR", socketDir.toString(), "JRUNC_CONFIG", tmp.resolve("none.toml").toString(),
                "JRUNC_TRACE", trace.toString()));
        Files.writeString(bundle.resolve("config.json"),
                "{\"ociVersion\":\"1.0.2\",\"annotations\":{\"io.jrunc.grouping\":\"namespace\"},\"linux\":{}}");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemonSocket != null) {
            daemonSocket.close();
        }
    }

    private Path sharedSocket() {
        return ShimSocketAddress.of(socketDir, ADDRESS, "ns", Grouping.SHARED_KEY).path();
    }

    /** A live "daemon" for the namespace: a listener on its socket and a state file naming this JVM. */
    private void liveDaemon(DaemonStateFile.State state) throws Exception {
        daemonSocket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        daemonSocket.bind(UnixDomainSocketAddress.of(sharedSocket()));
        DaemonStateFile.of(sharedSocket()).write(state);
    }

    private Sh.Result start(String... extraFlags) {
        List<String> args = new ArrayList<>(List.of("-namespace", "ns", "-address", ADDRESS, "-publish-binary", "/usr/bin/containerd"));
        args.addAll(List.of(extraFlags));
        args.addAll(List.of("-id", "c2", "start"));
        return Sh.script(args, env, bundle);
    }

    private Sh.Result delete() {
        return Sh.script(List.of("-namespace", "ns", "-address", ADDRESS, "-publish-binary", "/usr/bin/containerd",
                "-id", "c2", "-bundle", bundle.toString(), "delete"), env, tmp);
    }

    private boolean jvmRan() {
        return Files.exists(javaArgs);
    }

    @Test
    void startJoinsALiveDaemonWithoutAJvm() throws Exception {
        liveDaemon(DaemonStateFile.self(false));
        Sh.Result r = start();

        assertEquals(0, r.code(), r.describe());
        assertEquals("unix://" + sharedSocket(), r.out(), "the address, no newline, nothing else");
        assertEquals("", r.stderr());
        assertEquals("unix://" + sharedSocket(), Files.readString(bundle.resolve("address")));
        assertFalse(Files.exists(bundle.resolve(".address")));
        assertFalse(jvmRan());
        assertEquals("start fast ns/c2 daemon=" + ProcessHandle.current().pid() + "\n", Files.readString(trace));
    }

    @Test
    void withDebugTheFastStartSaysSoInTheBundleLog() throws Exception {
        liveDaemon(DaemonStateFile.self(false));
        Path fifo = bundle.resolve("log");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        try (RandomAccessFile reader = new RandomAccessFile(fifo.toFile(), "rw")) { // like containerd: a reader, never blocking
            Sh.Result r = start("-debug");
            assertEquals("unix://" + sharedSocket(), r.out(), r.describe());
            byte[] line = new byte[4096];
            int n = reader.read(line);
            String logged = new String(line, 0, n, StandardCharsets.UTF_8);
            assertTrue(logged.matches("time=\"[0-9T:.+-]+\" level=debug msg=\"joined live shim daemon pid=" + ProcessHandle.current().pid()
                    + " grouping=namespace without a JVM\" logger=jrunc.launcher\n"), logged);
        }
        assertFalse(jvmRan());
    }

    @Test
    void startRunsTheJvmWhenTheDaemonCannotBeTrusted() throws Exception {
        DaemonStateFile.State self = DaemonStateFile.self(false);
        Process exited = new ProcessBuilder("/bin/true").start();
        assertTrue(exited.waitFor(10, TimeUnit.SECONDS));
        List<Runnable> breakages = List.of(
                () -> {}, // no daemon at all
                () -> write(DaemonStateFile.of(sharedSocket()).path(), exited.pid() + " " + self.startTime() + "\n"),
                () -> write(DaemonStateFile.of(sharedSocket()).path(), self.pid() + " " + (self.startTime() + 1) + "\n"),
                () -> write(DaemonStateFile.of(sharedSocket()).path(), self.pid() + " " + self.startTime() + " retiring\n"),
                () -> write(DaemonStateFile.of(sharedSocket()).path(), "garbage\n"),
                () -> write(bundle.resolve("config.json"), "{\"annotations\":{\"io.jrunc.grouping\":\"name\\u0073pace\"}}"),
                () -> write(bundle.resolve("config.json"), "{ \"annotations\": { \"io.jrunc.grouping\": \"namespace\" } }"));
        for (int i = 0; i < breakages.size(); i++) {
            if (i > 0) {
                liveDaemon(self);
            }
            breakages.get(i).run();
            Files.deleteIfExists(javaArgs);
            Sh.Result r = start();
            assertEquals("from the jvm", r.out(), "case " + i + ": " + r.describe());
            assertTrue(jvmRan(), "case " + i);
            if (daemonSocket != null) {
                daemonSocket.close();
                daemonSocket = null;
                Files.deleteIfExists(sharedSocket());
            }
            setUp();
        }
    }

    @Test
    void theJvmGetsTheUnchangedCommandLine() throws Exception {
        Sh.Result r = Sh.script(List.of("--namespace=ns", "-address", ADDRESS, "-id", "c2", "start"), env, bundle);
        assertEquals("from the jvm", r.out(), r.describe());
        List<String> args = Files.readAllLines(javaArgs);
        assertEquals(List.of("io.jrunc.launcher.Main", "--namespace=ns", "-address", ADDRESS, "-id", "c2", "start"),
                args.subList(args.size() - 7, args.size()));
        assertTrue(args.contains("-Djrunc.socket.dir=" + socketDir), args.toString());
        assertTrue(args.contains("-Xlog:disable"), "AOT complaints must not reach stdout: " + args);
        assertTrue(args.contains("-Djrunc.launcher=" + Sh.SCRIPT), args.toString());
    }

    @Test
    void deleteAnswersFromTheMarkerWithoutAJvm() throws Exception {
        Files.writeString(bundle.resolve(".jrunc-deleted"), "4242 3 1700000000 5\n");
        Instant before = Instant.now();
        Sh.Result r = delete();

        assertEquals(0, r.code(), r.describe());
        assertEquals("", r.stderr());
        DeleteResponse response = DeleteResponse.parseFrom(r.stdout());
        assertEquals(4242, response.getPid());
        assertEquals(137, response.getExitStatus(), "what the JVM's delete (and the Go shim's) answers");
        Instant at = Instant.ofEpochSecond(response.getExitedAt().getSeconds(), response.getExitedAt().getNanos());
        assertFalse(at.isBefore(before.minusSeconds(1)) || at.isAfter(Instant.now().plusSeconds(1)), at.toString());
        assertFalse(jvmRan());
        assertEquals("delete fast ns/c2\n", Files.readString(trace));
    }

    @Test
    void deleteWithoutAUsableMarkerIsTheJvmsFullCleanup() throws Exception {
        // Options the sh cleanup does not handle (another runc root): the JVM's cleanup.
        Files.writeString(bundle.resolve("options.json"), "{\"root\":\"/run/other-runc\"}");
        for (String marker : new String[] {null, "", "4242 3 1700000000\n", "4242 3 1700000000 5 more\n", "-1 3 1 1\n",
                "4294967296 0 1 1\n", "042 3 1 1\n"}) {
            Files.deleteIfExists(javaArgs);
            Files.deleteIfExists(bundle.resolve(".jrunc-deleted"));
            if (marker != null) {
                Files.writeString(bundle.resolve(".jrunc-deleted"), marker);
            }
            Sh.Result r = delete();
            assertEquals("from the jvm", r.out(), marker + ": " + r.describe());
            List<String> args = Files.readAllLines(javaArgs);
            assertEquals("delete", args.getLast());
        }
    }

    @Test
    void afterACrashTheDeleteOfAPlainBundleIsRuncAndUmountWithoutAJvm() throws Exception {
        Path runcArgs = tmp.resolve("runc-args");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fakeRunc = bin.resolve("fake-runc");
        Files.writeString(fakeRunc, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$FAKE_RUNC_ARGS\"\n");
        Files.setPosixFilePermissions(fakeRunc, PosixFilePermissions.fromString("rwxr-xr-x"));
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("FAKE_RUNC_ARGS", runcArgs.toString());
        Files.writeString(bundle.resolve("runtime"), "fake-runc");
        Files.writeString(bundle.resolve("options.json"), "{}");
        Files.writeString(bundle.resolve("init.pid"), "31337");
        // Its place in a bounded daemon that is gone, and that daemon's state file.
        Path socket = socketDir.resolve("dead-daemon");
        Files.writeString(bundle.resolve("address"), "unix://" + socket);
        Files.createDirectories(Path.of(socket + ".slots"));
        Files.createSymbolicLink(Path.of(socket + ".slots", "0"), Path.of("c2"));
        Files.createSymbolicLink(Path.of(socket + ".slots", "1"), Path.of("other"));
        Process gone = new ProcessBuilder("/bin/true").start();
        gone.waitFor();
        Files.writeString(Path.of(socket + ".pid"), gone.pid() + " 1\n");
        Files.writeString(Path.of(socket + ".status"), "{\"pid\":" + gone.pid() + "}");

        Instant before = Instant.now();
        Sh.Result r = delete();

        assertEquals(0, r.code(), r.describe());
        DeleteResponse response = DeleteResponse.parseFrom(r.stdout());
        assertEquals(31337, response.getPid());
        assertEquals(137, response.getExitStatus());
        Instant at = Instant.ofEpochSecond(response.getExitedAt().getSeconds(), response.getExitedAt().getNanos());
        assertFalse(at.isBefore(before.minusSeconds(1)) || at.isAfter(Instant.now().plusSeconds(1)), at.toString());
        assertFalse(jvmRan());
        assertEquals(List.of("--root", "/run/containerd/runc/ns", "--log", bundle.resolve("log.json").toString(), "--log-format",
                "json", "delete", "--force", "c2"), Files.readAllLines(runcArgs), "runc's arguments as BundleCleanup gives them");
        assertFalse(Files.exists(Path.of(socket + ".slots", "0")), "c2's place given back");
        assertTrue(Files.isSymbolicLink(Path.of(socket + ".slots", "1")), "another container's place kept");
        assertFalse(Files.exists(Path.of(socket + ".pid")), "the dead daemon's state file removed");
        assertFalse(Files.exists(Path.of(socket + ".status")), "and its status file");
        assertEquals("delete cleanup ns/c2\n", Files.readString(trace));
    }

    @Test
    void anEmptyRuntimeFileMeansRuncOnPath() throws Exception {
        Path runcArgs = tmp.resolve("runc-args");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fakeRunc = bin.resolve("runc");
        Files.writeString(fakeRunc, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$FAKE_RUNC_ARGS\"\n");
        Files.setPosixFilePermissions(fakeRunc, PosixFilePermissions.fromString("rwxr-xr-x"));
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("FAKE_RUNC_ARGS", runcArgs.toString());
        Files.writeString(bundle.resolve("runtime"), "");
        Sh.Result r = delete();
        assertEquals(0, r.code(), r.describe());
        assertFalse(jvmRan());
        assertEquals("delete", Files.readAllLines(runcArgs).get(6));
    }

    @Test
    void aBundleThatNeverReachedRuncIsAnsweredWithoutRunc() throws Exception {
        Sh.Result r = delete();
        assertEquals(0, r.code(), r.describe());
        DeleteResponse response = DeleteResponse.parseFrom(r.stdout());
        assertEquals(0, response.getPid(), "no init.pid");
        assertEquals(137, response.getExitStatus());
        assertFalse(jvmRan());
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
