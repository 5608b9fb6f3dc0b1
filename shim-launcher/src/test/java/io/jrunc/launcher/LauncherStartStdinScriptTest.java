package io.jrunc.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.jrunc.proto.linux.runc.CreateOptions;
import io.jrunc.runc.RuncRuntime;
import io.jrunc.shim.DaemonStateFile;
import io.jrunc.shim.Grouping;
import io.jrunc.shim.ShimSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script's start with runc options on stdin (namespace grouping): the shim cgroup picks the daemon,
 * options without one keep the JVM-free path, and a JVM started after sh read stdin gets the same bytes.
 */
class LauncherStartStdinScriptTest {
    private static final String ADDRESS = "/run/ctd-test/containerd.sock";

    @TempDir
    Path tmp;
    private Path bundle;
    private Path socketDir;
    private Path javaArgs;
    private Path javaStdin;
    private Map<String, String> env;
    private ServerSocketChannel daemonSocket;

    @BeforeEach
    void setUp() throws Exception {
        bundle = Files.createDirectories(tmp.resolve("bundle"));
        socketDir = Files.createDirectories(tmp.resolve("s"));
        javaArgs = tmp.resolve("java-args");
        javaStdin = tmp.resolve("java-stdin");
        Path fakeJava = Files.createDirectories(tmp.resolve("jdk/bin")).resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$FAKE_JAVA_ARGS\"\ncat > \"$FAKE_JAVA_STDIN\"\n"
                + "printf 'from the jvm'\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        env = new HashMap<>(Map.of("JRUNC_JAVA_HOME", tmp.resolve("jdk").toString(), "FAKE_JAVA_ARGS", javaArgs.toString(),
                "FAKE_JAVA_STDIN", javaStdin.toString(), "JRUNC_SOCKET_DIR", socketDir.toString(),
                "JRUNC_CONFIG", tmp.resolve("none.toml").toString(), "TMPDIR", tmp.toString()));
        Files.writeString(bundle.resolve("config.json"),
                "{\"ociVersion\":\"1.0.2\",\"annotations\":{\"io.jrunc.grouping\":\"namespace\"},\"linux\":{}}");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemonSocket != null) {
            daemonSocket.close();
        }
    }

    private static byte[] createOptions(String cgroup) {
        return Any.newBuilder().setTypeUrl("containerd.linux.runc.CreateOptions").setValue(CreateOptions.newBuilder()
                .setIoUid(1000).setShimCgroup(cgroup).build().toByteString()).build().toByteArray();
    }

    private Path socket(String key) {
        return ShimSocketAddress.of(socketDir, ADDRESS, "ns", key).path();
    }

    private void liveDaemon(String key) throws Exception {
        daemonSocket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        daemonSocket.bind(UnixDomainSocketAddress.of(socket(key)));
        DaemonStateFile.of(socket(key)).write(DaemonStateFile.self(false));
    }

    private Sh.Result start(byte[] stdin) {
        return Sh.script(List.of("-namespace", "ns", "-address", ADDRESS, "-id", "c2", "start"), env, bundle, stdin);
    }

    private String qualifiedKey(byte[] input) throws Exception {
        return Grouping.SHARED_KEY + "@" + new RuncRuntime().groupingQualifier(input).orElseThrow();
    }

    @Test
    void optionsWithoutAShimCgroupKeepTheFastPath() throws Exception {
        liveDaemon(Grouping.SHARED_KEY);
        for (byte[] input : List.of(new byte[0], createOptions(""))) {
            Sh.Result r = start(input);
            assertEquals("unix://" + socket(Grouping.SHARED_KEY), r.out(), r.describe());
            assertFalse(Files.exists(javaArgs));
        }
    }

    @Test
    void aShimCgroupJoinsOnlyTheDaemonOfThatCgroup() throws Exception {
        byte[] input = createOptions("/shims/a");
        liveDaemon(qualifiedKey(input));
        Sh.Result r = start(input);
        assertEquals("unix://" + socket(qualifiedKey(input)), r.out(), r.describe());
        assertFalse(Files.exists(javaArgs));
    }

    @Test
    void aShimCgroupWithoutItsDaemonGoesToTheJvmWithTheSameStdin() throws Exception {
        liveDaemon(Grouping.SHARED_KEY); // the plain shared daemon runs elsewhere: never joined for a cgroup
        byte[] input = createOptions("/shims/b");
        Sh.Result r = start(input);
        assertEquals("from the jvm", r.out(), r.describe());
        assertArrayEquals(input, Files.readAllBytes(javaStdin), "the JVM reads what containerd wrote");
        try (var left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("jrunc-stdin.")), "temp file removed");
        }
    }

    @Test
    void podGroupingLeavesStdinAlone() throws Exception {
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\":\"1.0.2\"}");
        byte[] input = createOptions("/shims/c");
        Sh.Result r = start(input);
        assertEquals("from the jvm", r.out(), r.describe());
        assertArrayEquals(input, Files.readAllBytes(javaStdin));
    }
}
