package io.jrunc.runc.mount;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.proto.types.Mount;
import io.jrunc.runc.testsupport.Natives;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real mount(2) calls (the tests run as root, like the shim). */
class RootfsMounterTest {
    @TempDir
    Path dir;

    private final RootfsMounter mounter = new RootfsMounter(Natives.posix());

    @AfterEach
    void unmountLeftovers() throws Exception {
        mounter.unmountAll(dir.resolve("rootfs"));
    }

    private static Mount mount(String type, String source, String... options) {
        return Mount.newBuilder().setType(type).setSource(source).addAllOptions(List.of(options)).build();
    }

    private static boolean mounted(Path target) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(line -> line.split(" ")[4].equals(target.toString()));
    }

    @Test
    void stackedMountsAreAllUnmounted() throws Exception {
        Path rootfs = Files.createDirectory(dir.resolve("rootfs"));
        mounter.mountAll(List.of(mount("tmpfs", "tmpfs", "size=1m", "mode=755"),
                mount("tmpfs", "tmpfs", "size=2m")), rootfs);
        assertTrue(mounted(rootfs));
        Files.writeString(rootfs.resolve("file"), "x");
        mounter.unmountAll(rootfs);
        assertFalse(mounted(rootfs));
        assertFalse(Files.exists(rootfs.resolve("file")));
        // Nothing mounted, or no directory at all: nothing to do.
        mounter.unmountAll(rootfs);
        mounter.unmountAll(dir.resolve("absent"));
    }

    @Test
    void readOnlyBindIsRemountedReadOnly() throws Exception {
        Path source = Files.createDirectory(dir.resolve("source"));
        Files.writeString(source.resolve("hello"), "hi");
        Path rootfs = Files.createDirectory(dir.resolve("rootfs"));
        mounter.mountAll(List.of(mount("bind", source.toString(), "rbind", "ro", "rprivate")), rootfs);
        assertEquals("hi", Files.readString(rootfs.resolve("hello")));
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> Files.writeString(rootfs.resolve("new"), "x"));
        assertTrue(e.getMessage().contains("Read-only") || e instanceof AccessDeniedException, e.getMessage());
    }

    @Test
    void failureUnmountsWhatWasMountedAndNamesTheComponent() throws Exception {
        Path rootfs = Files.createDirectory(dir.resolve("rootfs"));
        Mount bad = mount("nosuchfs", "none");
        MountException e = assertThrows(MountException.class,
                () -> mounter.mountAll(List.of(mount("tmpfs", "tmpfs"), bad), rootfs));
        assertTrue(e.getMessage().startsWith("failed to mount rootfs component {type=nosuchfs source=none"), e.getMessage());
        assertFalse(mounted(rootfs));
    }

    @Test
    void unsupportedKindsAreRefusedBeforeTouchingTheKernel() throws Exception {
        Path rootfs = Files.createDirectory(dir.resolve("rootfs"));
        assertTrue(assertThrows(MountException.class, () -> mounter.mount(mount("ext4", "/img", "loop"), rootfs))
                .getMessage().contains("loop mounts are not supported"));
        String huge = "lowerdir=" + "/x".repeat(3000);
        assertEquals("mount options is too long",
                assertThrows(MountException.class, () -> mounter.mount(mount("overlay", "overlay", huge), rootfs))
                        .getMessage());
        assertFalse(mounted(rootfs));
    }
}
