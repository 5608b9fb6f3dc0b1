package io.jrunc.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Timestamp;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.runc.RuncRuntime;
import io.jrunc.shim.BundleAnnotations;
import io.jrunc.shim.ShimSettings;
import io.jrunc.shim.ShimSocketAddress;
import io.jrunc.shim.ShimUsageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The launcher's sh functions against the JVM code they stand in for: same socket name, same
 * DeleteResponse bytes, same grouping decisions (or "unsure", which falls back to the JVM).
 */
class LauncherFunctionsTest {
    @TempDir
    Path tmp;

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put("JRUNC_CONFIG", tmp.resolve("no-config.toml").toString());
        env.put("JRUNC_SOCKET_DIR", tmp.resolve("s").toString());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void socketNameIsShimSocketAddress() {
        List<List<String>> cases = List.of(
                List.of("/run/containerd/containerd.sock", "default", "c1"),
                List.of("/run/containerd/containerd.sock", "k8s.io", "@jrunc-shared"),
                List.of("/tmp/jrunc-it-123/containerd.sock", "jrunc-it-0a1b2c3d", "a".repeat(64)),
                List.of("/var/run/x y/containerd.sock", "ns", "id.with-dots_and_underscores"),
                List.of("/s", "n", "k"));
        for (List<String> c : cases) {
            Sh.Result r = Sh.functions("jr_socket_path \"$A\" \"$N\" \"$K\" && printf %s \"$jr_socket\"",
                    with(env(), "A", c.get(0), "N", c.get(1), "K", c.get(2)), tmp);
            assertEquals(0, r.code(), c + ": " + r.describe());
            assertEquals(ShimSocketAddress.of(tmp.resolve("s"), c.get(0), c.get(1), c.get(2)).path().toString(), r.out(), c.toString());
        }
    }

    @Test
    void pathsGoWouldCleanAreLeftToTheJvm() {
        for (List<String> c : List.of(List.of("relative.sock", "n", "k"), List.of("/a//b.sock", "n", "k"),
                List.of("/a/./b.sock", "n", "k"), List.of("/a/b/", "n", "k"), List.of("/a/..", "n", "k"),
                List.of("/a.sock", "n/x", "k"), List.of("/a.sock", "n", ".."), List.of("/a.sock", "n", ""))) {
            Sh.Result r = Sh.functions("jr_socket_path \"$A\" \"$N\" \"$K\"", with(env(), "A", c.get(0), "N", c.get(1), "K", c.get(2)), tmp);
            assertEquals(1, r.code(), c.toString());
        }
    }

    @Test
    void deleteResponseBytesAreProtobufJavas() {
        long[][] cases = {{0, 0, 0, 0}, {1, 137, 1, 1}, {127, 128, 1_700_000_000L, 999_999_999},
                {128, 255, 253_402_300_799L, 5}, {4_294_967_295L, 4_294_967_295L, 16_384, 0}, {4242, 137, 0, 123}};
        Random random = new Random(7);
        List<long[]> all = new java.util.ArrayList<>(List.of(cases));
        for (int i = 0; i < 40; i++) {
            all.add(new long[] {random.nextLong(1L << 32), random.nextLong(1L << 32), random.nextLong(253_402_300_800L),
                    random.nextInt(1_000_000_000)});
        }
        StringBuilder script = new StringBuilder();
        for (long[] c : all) {
            script.append("jr_delete_response ").append(c[0]).append(' ').append(c[1]).append(' ').append(c[2])
                    .append(' ').append(c[3]).append("; printf '\\n=====\\n'; ");
        }
        Sh.Result r = Sh.functions(script.toString(), env(), tmp);
        assertEquals(0, r.code(), r.describe());
        byte[] out = r.stdout();
        int from = 0;
        for (long[] c : all) {
            byte[] expected = DeleteResponse.newBuilder().setPid((int) c[0]).setExitStatus((int) c[1])
                    .setExitedAt(Timestamp.newBuilder().setSeconds(c[2]).setNanos((int) c[3])).build().toByteArray();
            byte[] got = java.util.Arrays.copyOfRange(out, from, from + expected.length);
            assertArrayEquals(expected, got, java.util.Arrays.toString(c));
            from += expected.length;
            String separator = new String(out, from, 7, java.nio.charset.StandardCharsets.US_ASCII);
            assertEquals("\n=====\n", separator, "no extra bytes after " + java.util.Arrays.toString(c));
            from += 7;
        }
    }

    /** Config files as containerd's clients write them (compact Go JSON) and some they do not. */
    static final List<String> CONFIGS = List.of(
            "{}",
            "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"args\":[\"sh\",\"-c\",\"echo \\\"annotations\\\"\"]},\"root\":{\"path\":\"rootfs\"}}",
            "{\"ociVersion\":\"1.0.2\",\"annotations\":{},\"linux\":{}}",
            "{\"process\":{\"args\":[\"annotations\"]},\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"sb-1\"},\"linux\":{\"cgroupsPath\":\"/x\"}}",
            "{\"annotations\":{\"io.containerd.runc.v2.group\":\"g1\",\"io.kubernetes.cri.sandbox-id\":\"sb-1\"}}",
            "{\"annotations\":{\"a\":\"x}y\",\"io.jrunc.grouping\":\"namespace\",\"z\":\"\"},\"linux\":{}}",
            "{\"annotations\":{\"io.jrunc.grouping\":\"container\",\"io.kubernetes.cri.sandbox-id\":\"sb-1\"}}",
            "{\"annotations\":{\"io.jrunc.grouping\":\"pod\",\"io.kubernetes.cri.sandbox-id\":\"sb-2\"}}",
            "{\"annotations\":{\"note\":\"a \\\"quoted\\\" word\",\"io.jrunc.grouping\":\"namespace\"}}",
            "{\"annotations\":{\"io.jrunc.grouping\":\"name\\u0073pace\"}}",
            "{\n  \"annotations\": {\n    \"io.jrunc.grouping\": \"namespace\"\n  }\n}",
            "{\"annotations\":{\"io.jrunc.grouping\":\"cluster\"}}",
            "{\"annotations\":{\"io.jrunc.grouping\":\"\"}}",
            "{\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"\"}}",
            "{\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"a/b\"}}",
            "{\"annotations\":{\"io.jrunc.grouping\":5}}");

    /** Whether the sh code must be sure (it may be unsure about anything else, never wrong). */
    static final List<Boolean> MUST_BE_SURE = List.of(true, true, true, true, true, true, true, true, false, false,
            false, false, false, false, false, false);

    @Test
    void groupingDecisionsAreTheJvmsOrUnsure() throws Exception {
        for (int i = 0; i < CONFIGS.size(); i++) {
            for (Map<String, String> env : List.of(env(), env("JRUNC_GROUPING", "namespace"), env("JRUNC_GROUPING", "container"))) {
                String config = CONFIGS.get(i);
                Path bundle = Files.createDirectories(tmp.resolve("b" + i));
                Files.writeString(bundle.resolve("config.json"), config);
                Sh.Result r = Sh.functions("jr_grouping \"$PWD\" c1 && jr_socket_path /run/ctd.sock ns \"$jr_key\" && printf %s \"$jr_socket\"", env, bundle);
                Optional<String> jvm = jvmSocket(bundle, env);
                String what = "config " + config + " env " + env.get("JRUNC_GROUPING") + ": sh " + r.describe() + ", jvm " + jvm;
                if (r.code() == 0) {
                    assertEquals(jvm, Optional.of(r.out()), what);
                } else if (MUST_BE_SURE.get(i) && jvm.isPresent()) {
                    throw new AssertionError("unsure about a plain config: " + what);
                }
            }
        }
    }

    private Optional<String> jvmSocket(Path bundle, Map<String, String> env) {
        try {
            Map<String, Object> annotations = BundleAnnotations.read(bundle);
            String key = ShimSettings.resolve(annotations, env).grouping().key(annotations, "c1", new RuncRuntime());
            return Optional.of(ShimSocketAddress.of(tmp.resolve("s"), "/run/ctd.sock", "ns", key).path().toString());
        } catch (ShimUsageException | java.io.IOException e) {
            return Optional.empty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "grouping = \"namespace\"\n",
            "  grouping=container   # per container\nlinger = 45s\n",
            "# nothing\n\nlinger = \"1m\"\n",
            "grouping = pod",
            "grouping = \"\"\n",
            "grouping = \"cluster\"\n",
            "[jrunc]\ngrouping = \"namespace\"\n",
            "grouping = 'namespace'\n",
            "grouping = \"a\\\"b\"\n",
            "grouping = namespace trailing\n",
            "grouping\n",
            "grouping = \"namespace\"\ngrouping = \"container\"\n",
            "grouping = \"namespace\"\r\n"})
    void configFileReadingIsTheJvmsOrUnsure(String text) throws Exception {
        Path file = Files.writeString(tmp.resolve("config.toml"), text);
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        Files.writeString(bundle.resolve("config.json"), "{}");
        Map<String, String> env = env("JRUNC_CONFIG", file.toString());
        Sh.Result r = Sh.functions("jr_grouping \"$PWD\" c1 && printf %s \"$jr_mode\"", env, bundle);
        Optional<String> jvm;
        try {
            jvm = Optional.of(ShimSettings.resolve(Map.of(), env).grouping().word());
        } catch (ShimUsageException e) {
            jvm = Optional.empty();
        }
        if (r.code() == 0) {
            assertEquals(jvm, Optional.of(r.out()), text);
        } else {
            assertEquals(1, r.code(), r.describe());
            if (!text.contains("\r")) {
                assertEquals(Optional.empty(), jvm, "sh unsure about a file the JVM reads: " + text);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "64", "100000", "100001", "064", "-1", "x", ""})
    void maxContainersIsReadAsTheJvmReadsItOrUnsure(String value) throws Exception {
        Path bundle = Files.createDirectories(tmp.resolve("bundle"));
        Files.writeString(bundle.resolve("config.json"), "{\"annotations\":{\"io.jrunc.max-containers\":\"" + value + "\"}}");
        Sh.Result r = Sh.functions("jr_grouping \"$PWD\" c1 && printf %s \"$jr_max\"", env(), bundle);
        Optional<Integer> jvm;
        try {
            jvm = Optional.of(ShimSettings.resolve(BundleAnnotations.read(bundle), env()).maxContainers());
        } catch (ShimUsageException e) {
            jvm = Optional.empty();
        }
        if (r.code() == 0) {
            assertEquals(jvm.map(String::valueOf), Optional.of(r.out()), value);
        } else {
            assertEquals(Optional.empty(), jvm, "sh unsure about a count the JVM reads: " + value + " " + r.describe());
        }
    }

    /** sh (ln -s) and the JVM (DaemonSlots) racing for places: each taken once, none beyond max, the JVM's daemon keys. */
    @Test
    void shAndJvmRacingForPlacesNeverShareOneNorOverfill() throws Exception {
        Path socketDir = Files.createDirectories(tmp.resolve("s"));
        int max = 3;
        int racers = 12;
        Map<String, String> env = env("JRUNC_SOCKET_DIR", socketDir.toString());
        java.util.List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(racers)) {
            for (int i = 0; i < racers; i++) {
                String id = "c" + i;
                boolean bySh = i % 2 == 0;
                results.add(pool.submit(() -> {
                    if (bySh) {
                        Sh.Result r = Sh.functions("jr_reserve_place /run/ctd.sock ns " + id + " " + max + " && printf %s \"$jr_socket\"",
                                env, tmp);
                        assertEquals(0, r.code(), r.describe());
                        return r.out();
                    }
                    for (int index = 0; ; index++) {
                        Path socket = ShimSocketAddress.of(socketDir, "/run/ctd.sock", "ns", io.jrunc.shim.Grouping.sharedKey(index)).path();
                        if (io.jrunc.shim.DaemonSlots.of(socket).reserve(id, max).isPresent()) {
                            return socket.toString();
                        }
                    }
                }));
            }
            Map<String, Integer> perDaemon = new HashMap<>();
            for (var result : results) {
                perDaemon.merge(result.get(60, java.util.concurrent.TimeUnit.SECONDS), 1, Integer::sum);
            }
            assertEquals(racers / max, perDaemon.size(), perDaemon.toString());
            for (int index = 0; index < racers / max; index++) {
                Path socket = ShimSocketAddress.of(socketDir, "/run/ctd.sock", "ns", io.jrunc.shim.Grouping.sharedKey(index)).path();
                assertEquals(max, perDaemon.get(socket.toString()), perDaemon.toString());
                assertEquals(max, io.jrunc.shim.DaemonSlots.of(socket).holders().size());
            }
        }
    }

    private static Map<String, String> with(Map<String, String> env, String... pairs) {
        Map<String, String> all = new HashMap<>(env);
        for (int i = 0; i < pairs.length; i += 2) {
            all.put(pairs[i], pairs[i + 1]);
        }
        return all;
    }
}
