package io.jrunc.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A minimal container root filesystem made from the host's static busybox: /bin/busybox plus one
 * symlink per applet, a root user, and the empty mount points runc expects. For {@code ctr run --rootfs}.
 *
 * <p>Note: with {@code --rootfs} (no image config) ctr 1.6 gives the process no PATH at all (its env
 * is just HOME=/root), so name programs by absolute path ({@code /bin/sh}) or pass {@link #PATH_ENV}
 * with {@code --env}.
 */
public final class BusyboxRootfs implements AutoCloseable {
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    /** For {@code ctr run --env}: every applet lives in /bin. */
    public static final String PATH_ENV = "PATH=/bin";

    private final Path base;
    private final Path rootfs;

    private BusyboxRootfs(Path base) {
        this.base = base;
        this.rootfs = base.resolve("rootfs");
    }

    /** Builds a fresh rootfs in a new temp directory under /tmp. */
    public static BusyboxRootfs create() {
        try {
            BusyboxRootfs fs = new BusyboxRootfs(Files.createTempDirectory(Path.of("/tmp"), "jrunc-rootfs-"));
            fs.populate();
            return fs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build a busybox rootfs", e);
        }
    }

    public Path path() {
        return rootfs;
    }

    private void populate() throws IOException {
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(BUSYBOX, bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : applets()) {
            if (!applet.equals("busybox")) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
        }
        for (String dir : List.of("proc", "sys", "dev", "tmp", "root", "etc", "run", "var/tmp")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Files.setPosixFilePermissions(rootfs.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.writeString(rootfs.resolve("etc/hosts"), "127.0.0.1 localhost\n");
        // ctr's default spec does not mount over these; keep them present and empty.
        Files.writeString(rootfs.resolve("etc/resolv.conf"), "");
        Files.writeString(rootfs.resolve("etc/hostname"), "jrunc-it\n");
    }

    private static List<String> applets() {
        String out = Command.run(Duration.ofSeconds(10), List.of(BUSYBOX.toString(), "--list")).orThrow().stdout();
        return out.lines().map(String::strip).filter(s -> !s.isEmpty() && !s.contains("/")).toList();
    }

    /** Removes the rootfs; refuses if something is still mounted inside it (a container still running). */
    @Override
    public void close() {
        List<Path> mounted = Mounts.under(base);
        if (!mounted.isEmpty()) {
            throw new IllegalStateException("rootfs still has mounts, not deleting it: " + mounted);
        }
        FileTrees.deleteRecursively(base);
    }
}
