package io.jrunc.it.cri;

import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.PrivateContainerd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The two images the CRI scenarios need, made from the host's static busybox without any registry: an app image
 * (busybox, cmd {@code /bin/sh}) and the pod sandbox ("pause") image, whose entrypoint waits for ever and exits 0
 * on SIGTERM. One layer holds /bin/busybox, a symlink per applet and a root user; both images share it.
 * They are imported with {@code ctr -n k8s.io images import}, which unpacks them for CRI's snapshotter.
 */
final class BusyboxImages {
    /** The namespace containerd's CRI plugin keeps its images, containers and sandboxes in. */
    static final String CRI_NAMESPACE = "k8s.io";
    static final String APP = "jrunc.test/busybox:it";
    static final String PAUSE = "jrunc.test/pause:it";
    /** The sandbox's init: a pid-namespace init needs a handler for TERM, which the trap gives it. */
    static final List<String> PAUSE_ENTRYPOINT = List.of("/bin/sh", "-c", "trap 'exit 0' TERM; sleep 2147483647 & wait");
    private static final List<String> ENV = List.of("PATH=/bin");

    private BusyboxImages() {
    }

    /** Imports both images into {@code ctd}'s k8s.io namespace; returns them as packed (ids and digests). */
    static List<OciImageLayout.PackedImage> importInto(PrivateContainerd ctd) {
        OciImageLayout.Archive archive = OciImageLayout.pack(layer(), List.of(
                new OciImageLayout.ImageDef(APP, List.of(), List.of("/bin/sh"), ENV),
                new OciImageLayout.ImageDef(PAUSE, PAUSE_ENTRYPOINT, List.of(), ENV)));
        Path file = ctd.dir().resolve("busybox-images.tar");
        try {
            Files.write(file, archive.tar());
            ctr(ctd).ok("images", "import", file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                System.err.println("BusyboxImages: cannot remove " + file + ": " + e);
            }
        }
        return archive.images();
    }

    /**
     * Removes the images: their names and the "sha256:&lt;config&gt;" references CRI adds for image ids (containerd
     * then garbage-collects blobs and snapshots).
     */
    static void remove(PrivateContainerd ctd, List<OciImageLayout.PackedImage> images) {
        List<String> refs = new java.util.ArrayList<>(List.of("images", "rm", "--sync"));
        for (OciImageLayout.PackedImage image : images) {
            refs.add(image.name());
            refs.add(image.configDigest());
        }
        CommandResult r = ctr(ctd).run(refs.toArray(String[]::new));
        if (!r.ok() && !r.stderr().contains("not found")) {
            throw new IllegalStateException("cannot remove the CRI test images: " + r.describe());
        }
    }

    static Ctr ctr(PrivateContainerd ctd) {
        return ctd.ctr(CRI_NAMESPACE).withTimeout(Duration.ofSeconds(120));
    }

    /** The layer: the busybox binary, one symlink per applet in /bin, and the files a root user expects. */
    static byte[] layer() {
        byte[] busybox;
        try {
            busybox = Files.readAllBytes(BusyboxRootfs.BUSYBOX);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + BusyboxRootfs.BUSYBOX + " (package busybox-static)", e);
        }
        UstarWriter tar = new UstarWriter().directory("bin", 0755).file("bin/busybox", 0755, busybox);
        for (String applet : applets()) {
            if (!applet.equals("busybox")) {
                tar.symlink("bin/" + applet, "busybox");
            }
        }
        for (String dir : List.of("dev", "proc", "sys", "root", "run", "etc", "var", "var/tmp")) {
            tar.directory(dir, 0755);
        }
        tar.directory("tmp", 01777);
        tar.file("etc/passwd", 0644, ascii("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"));
        tar.file("etc/group", 0644, ascii("root:x:0:\nnogroup:x:65534:\n"));
        return tar.finish();
    }

    private static List<String> applets() {
        String out = Command.run(Duration.ofSeconds(10), List.of(BusyboxRootfs.BUSYBOX.toString(), "--list")).orThrow().stdout();
        return out.lines().map(String::strip).filter(s -> !s.isEmpty() && !s.contains("/")).toList();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
