package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleAnnotationsTest {

    @Test
    void annotationsComeFromConfigJson(@TempDir Path bundle) throws Exception {
        assertEquals(Map.of(), BundleAnnotations.read(bundle), "no config.json: no annotations");
        Files.writeString(bundle.resolve("config.json"),
                "{\"ociVersion\":\"1.0.2\",\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"pod-1\"}}");
        assertEquals(Map.of("io.kubernetes.cri.sandbox-id", "pod-1"), BundleAnnotations.read(bundle));
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\":\"1.0.2\"}");
        assertEquals(Map.of(), BundleAnnotations.read(bundle));
        Files.writeString(bundle.resolve("config.json"), "{\"annotations\":");
        IOException e = assertThrows(IOException.class, () -> BundleAnnotations.read(bundle));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("invalid JSON"), e.getMessage());
    }
}
