package io.jrunc.runc.bundle;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.proto.runc.v1.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleFilesTest {
    @TempDir
    Path dir;

    @Test
    void runtimeAndOptionsAreWrittenPrivateAndReadBack() throws IOException {
        BundleFiles files = new BundleFiles(dir);
        assertEquals(Optional.empty(), files.readRuntime());
        assertEquals(Optional.empty(), files.readOptions());
        Options options = Options.newBuilder().setBinaryName("/usr/sbin/runc").build();
        files.writeOptions(options);
        files.writeRuntime("/usr/sbin/runc");
        assertEquals(Optional.of("/usr/sbin/runc"), files.readRuntime());
        assertEquals(Optional.of(options), files.readOptions());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("runtime"))));
        files.writeRuntime("");
        assertEquals(Optional.of(""), files.readRuntime());
    }

    @Test
    void initPid() throws IOException {
        BundleFiles files = new BundleFiles(dir);
        assertEquals(Optional.empty(), files.readInitPidIfPresent());
        Files.writeString(files.initPidFile(), "4242");
        assertEquals(4242, files.readInitPid());
        Files.writeString(files.initPidFile(), "garbage");
        IOException e = assertThrows(IOException.class, files::readInitPid);
        assertTrue(e.getMessage().contains("garbage"));
    }

    @Test
    void privatePidNamespaceMeansNamespaceWithoutPath() throws IOException {
        BundleFiles files = new BundleFiles(dir);
        assertFalse(files.hasPrivatePidNamespace(), "no config.json: kill all, like Go");
        Files.writeString(dir.resolve("config.json"),
                "{\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"}]}}");
        assertTrue(files.hasPrivatePidNamespace());
        Files.writeString(dir.resolve("config.json"),
                "{\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"}]}}");
        assertFalse(files.hasPrivatePidNamespace());
        Files.writeString(dir.resolve("config.json"), "{\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}");
        assertFalse(files.hasPrivatePidNamespace());
        Files.writeString(dir.resolve("config.json"), "not json");
        assertFalse(files.hasPrivatePidNamespace());
    }
}
