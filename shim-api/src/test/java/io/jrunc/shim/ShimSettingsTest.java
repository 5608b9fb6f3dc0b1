package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShimSettingsTest {
    @TempDir
    Path tmp;

    private Map<String, String> env(String... pairs) {
        Map<String, String> env = new java.util.HashMap<>();
        env.put(ShimSettings.CONFIG_ENV, tmp.resolve("absent.toml").toString());
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private Path config(String text) throws Exception {
        return Files.writeString(tmp.resolve("config.toml"), text);
    }

    @Test
    void defaultsAreOneLingeringDaemonPerNamespaceWithoutLimit() throws Exception {
        ShimSettings s = ShimSettings.resolve(Map.of(), env());
        assertEquals(Grouping.NAMESPACE, s.grouping());
        assertEquals(Duration.ofSeconds(30), s.lingerDuration());
        assertEquals(0, s.maxContainers());
        assertFalse(s.bounded());
    }

    @Test
    void maxContainersFromEachSourceBoundsOnlyANamespaceDaemon() throws Exception {
        Path file = config("max_containers = 64\n");
        Map<String, String> withFile = env(ShimSettings.CONFIG_ENV, file.toString());
        ShimSettings fromFile = ShimSettings.resolve(Map.of(), withFile);
        assertEquals(64, fromFile.maxContainers());
        assertTrue(fromFile.bounded());
        withFile.put(ShimSettings.MAX_CONTAINERS_ENV, "8");
        assertEquals(8, ShimSettings.resolve(Map.of(), withFile).maxContainers());
        assertEquals(3, ShimSettings.resolve(Map.of(ShimSettings.MAX_CONTAINERS_ANNOTATION, "3"), withFile).maxContainers());
        withFile.put(ShimSettings.GROUPING_ENV, "pod");
        assertFalse(ShimSettings.resolve(Map.of(), withFile).bounded(), "a pod's daemon is not bounded");
    }

    @Test
    void aMaxContainersThatIsNotACountIsRefusedNamingItsSource() {
        for (String bad : new String[] {"-1", "64x", "064", "100001", "", " 5"}) {
            ShimUsageException e = assertThrows(ShimUsageException.class,
                    () -> ShimSettings.resolve(Map.of(ShimSettings.MAX_CONTAINERS_ANNOTATION, bad), env()), bad);
            assertTrue(e.getMessage().contains("annotation io.jrunc.max-containers"), e.getMessage());
        }
    }

    @Test
    void annotationBeatsEnvironmentBeatsConfigFile() throws Exception {
        Path file = config("grouping = \"container\"\nlinger = \"7s\"\n");
        Map<String, String> withFile = env(ShimSettings.CONFIG_ENV, file.toString());
        assertEquals(Grouping.CONTAINER, ShimSettings.resolve(Map.of(), withFile).grouping());

        withFile.put(ShimSettings.GROUPING_ENV, "namespace");
        ShimSettings fromEnv = ShimSettings.resolve(Map.of(), withFile);
        assertEquals(Grouping.NAMESPACE, fromEnv.grouping());
        assertEquals(Duration.ofSeconds(7), fromEnv.lingerDuration(), "linger still from the file");

        ShimSettings fromAnnotation = ShimSettings.resolve(
                Map.of(ShimSettings.GROUPING_ANNOTATION, "pod", ShimSettings.LINGER_ANNOTATION, "1m"), withFile);
        assertEquals(Grouping.POD, fromAnnotation.grouping());
        assertEquals(Optional.of("1m"), fromAnnotation.linger());
    }

    @Test
    void onlyANamespaceDaemonLingersByDefaultThirtySeconds() throws Exception {
        assertEquals(Duration.ofSeconds(30),
                ShimSettings.resolve(Map.of(), env(ShimSettings.GROUPING_ENV, "namespace")).lingerDuration());
        assertEquals(Duration.ofMillis(500), ShimSettings.resolve(Map.of(),
                env(ShimSettings.GROUPING_ENV, "namespace", ShimSettings.LINGER_ENV, "500ms")).lingerDuration());
        assertEquals(Duration.ZERO, ShimSettings.resolve(Map.of(),
                env(ShimSettings.GROUPING_ENV, "container", ShimSettings.LINGER_ENV, "5m")).lingerDuration());
    }

    @Test
    void anEmptyEnvironmentVariableCountsAsUnset() throws Exception {
        assertEquals(Grouping.NAMESPACE, ShimSettings.resolve(Map.of(), env(ShimSettings.GROUPING_ENV, "")).grouping());
    }

    @Test
    void durations() {
        assertEquals(Duration.ZERO, ShimSettings.parseDuration("0"));
        assertEquals(Duration.ofSeconds(30), ShimSettings.parseDuration("30"));
        assertEquals(Duration.ofMillis(250), ShimSettings.parseDuration("250ms"));
        assertEquals(Duration.ofMinutes(2), ShimSettings.parseDuration("2m"));
        assertEquals(Duration.ofHours(24), ShimSettings.parseDuration("24h"));
        assertThrows(IllegalArgumentException.class, () -> ShimSettings.parseDuration("25h"));
        assertThrows(IllegalArgumentException.class, () -> ShimSettings.parseDuration("-1s"));
        assertThrows(IllegalArgumentException.class, () -> ShimSettings.parseDuration("1.5s"));
        assertThrows(IllegalArgumentException.class, () -> ShimSettings.parseDuration(""));
    }

    @Test
    void badValuesSayWhereTheyCameFrom() throws Exception {
        ShimUsageException annotation = assertThrows(ShimUsageException.class,
                () -> ShimSettings.resolve(Map.of(ShimSettings.GROUPING_ANNOTATION, "cluster"), env()));
        assertEquals("invalid annotation io.jrunc.grouping=\"cluster\": \"cluster\" is not a grouping (expected "
                + "namespace, pod or container)", annotation.getMessage());
        ShimSettings badLinger = ShimSettings.resolve(Map.of(), env(ShimSettings.GROUPING_ENV, "namespace",
                ShimSettings.LINGER_ENV, "soon"));
        ShimUsageException linger = assertThrows(ShimUsageException.class, badLinger::lingerDuration);
        assertTrue(linger.getMessage().startsWith("invalid environment variable JRUNC_LINGER=\"soon\""), linger.getMessage());
        assertThrows(ShimUsageException.class,
                () -> ShimSettings.resolve(Map.of(ShimSettings.GROUPING_ANNOTATION, 3L), env()));
    }

    @Test
    void configFileSyntax() throws Exception {
        Path file = config("""
                # jrunc
                  grouping="namespace"   # shared
                linger = 45s
                other_key = "ignored"

                """);
        Map<String, String> settings = ShimConfigFile.read(file);
        assertEquals(Map.of("grouping", "namespace", "linger", "45s", "other_key", "ignored"), settings);
        assertEquals(Map.of(), ShimConfigFile.read(tmp.resolve("missing")));
        for (String bad : new String[] {"[section]", "grouping = 'pod'", "grouping = \"a\\\"b\"", "grouping",
                "grouping = pod extra", "grouping = \"pod"}) {
            ShimUsageException e = assertThrows(ShimUsageException.class, () -> ShimConfigFile.read(config(bad + "\n")), bad);
            assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        }
    }

    @Test
    void groupingKeys() {
        Map<String, Object> pod = Map.of(FakeShimRuntime.POD_ANNOTATION, "sb1");
        ShimRuntime runtime = new FakeShimRuntime();
        assertEquals(Grouping.SHARED_KEY, Grouping.NAMESPACE.key(pod, "c1", runtime));
        assertEquals("sb1", Grouping.POD.key(pod, "c1", runtime), "pods as the runtime names them");
        assertEquals("c1", Grouping.POD.key(Map.of(), "c1", runtime));
        assertEquals("c1", Grouping.CONTAINER.key(pod, "c1", runtime));
        assertEquals(Grouping.NAMESPACE, Grouping.parse("namespace"));
        assertThrows(IllegalArgumentException.class, () -> Grouping.parse("Namespace"));
    }
}
