package io.jrunc.it.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.OperatingDoc;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.shim.Grouping;
import io.jrunc.shim.ShimSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operating.md's recipes against what runs: the containerd snippets are the CRI tests' jrunc handler
 * (CriPluginConfig appends them verbatim; CriIT runs pods through them), so here only that they name our
 * runtime type and handler; the RuntimeClass names that handler; the settings file parses to what the doc says.
 */
class OperatingDocTest {
    private static final Pattern TABLE = Pattern.compile("^\\[plugins\\.\"([^\"]+)\"\\.containerd\\.runtimes\\.([a-z0-9-]+)]\\n");

    @Test
    void containerdSnippetsConfigureTheJruncRuntimeTypeUnderTheCriHandler() {
        assertSnippet(CriPluginConfig.JRUNC_SNIPPET_V2, "io.containerd.grpc.v1.cri");
        assertSnippet(CriPluginConfig.JRUNC_SNIPPET_V3, "io.containerd.cri.v1.runtime");
    }

    private static void assertSnippet(String name, String plugin) {
        String toml = OperatingDoc.snippet(name);
        Matcher m = TABLE.matcher(toml);
        assertTrue(m.find(), name + ": " + toml);
        assertEquals(plugin, m.group(1), name + ": the CRI plugin of that config version");
        assertEquals(CriHandler.JRUNC.handlerName(), m.group(2), name + ": the handler the CRI tests run pods with");
        assertTrue(toml.contains("\n  runtime_type = \"" + ShimUnderTest.JAVA.runtime() + "\"\n"), name + ": " + toml);
    }

    @Test
    void runtimeClassNamesTheHandler() {
        String yaml = OperatingDoc.snippet("runtimeclass");
        assertTrue(yaml.startsWith("apiVersion: node.k8s.io/v1\nkind: RuntimeClass\n"), yaml);
        assertTrue(yaml.contains("\nhandler: " + CriHandler.JRUNC.handlerName() + "\n"), yaml);
    }

    @Test
    void settingsFileParsesAsDocumented(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.toml"), OperatingDoc.snippet("jrunc-config"));
        ShimSettings s = ShimSettings.resolve(Map.of(), Map.of(ShimSettings.CONFIG_ENV, file.toString()));
        assertEquals(Grouping.POD, s.grouping());
        assertEquals(64, s.maxContainers());
        assertEquals(Optional.of("30s"), s.linger());
    }
}
