package io.jrunc.it.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.it.harness.ContainerdDistribution;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.proto.cri.v1.VersionRequest;
import io.jrunc.proto.cri.v1.VersionResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;

/**
 * What the CRI scenarios share: one private containerd per class and containerd release ({@link #versions()};
 * subclasses are {@code @ParameterizedClass} over it) with the CRI plugin on and both runtime handlers
 * ({@link CriPluginConfig}), the busybox and pause images imported into k8s.io, a CRI client, and containerd's
 * log on failure. Each test runs its own {@link CriPod}s.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(CriLogOnFailure.class)
abstract class CriScenarios {
    static final String VERSIONS_PROPERTY = "jrunc.it.conformance.versions";
    static PrivateContainerd containerd;
    static CriClient cri;
    static List<OciImageLayout.PackedImage> images = List.of();

    /**
     * The containerd releases this run covers: {@code -Djrunc.it.conformance.versions} as for the conformance
     * matrix (default 1.6, the system's; the conformance-full profile adds 1.7 and 2.1).
     */
    static List<String> versions() {
        List<String> versions = Arrays.stream(System.getProperty(VERSIONS_PROPERTY, "1.6").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
        for (String v : versions) {
            if (!ContainerdDistribution.VERSIONS.contains(v)) {
                throw new IllegalArgumentException("-D" + VERSIONS_PROPERTY + ": unknown containerd version " + v
                        + ", known: " + ContainerdDistribution.VERSIONS);
            }
        }
        return versions;
    }

    @BeforeParameterizedClassInvocation
    static void startContainerdWithCri(String version) {
        ContainerdDistribution release = ContainerdDistribution.obtain(version);
        containerd = PrivateContainerd.startWithCri(release, Map.of(), dir -> CriPluginConfig.forDaemon(release, dir));
        cri = CriClient.connect(containerd);
        VersionResponse answer = cri.runtime().version(VersionRequest.newBuilder().setVersion("v1").build());
        assertEquals("v1", answer.getRuntimeApiVersion(), answer::toString);
        images = BusyboxImages.importInto(containerd);
    }

    @AfterParameterizedClassInvocation
    static void stopContainerd() {
        try {
            if (containerd != null && !images.isEmpty()) {
                BusyboxImages.remove(containerd, images);
            }
        } finally {
            images = List.of();
            if (cri != null) {
                cri.close();
                cri = null;
            }
            if (containerd != null) {
                containerd.close();
                containerd = null;
            }
            removeEmptyRuncRoot();
        }
    }

    /**
     * runc makes /run/containerd/runc/k8s.io for CRI's containers and nobody removes it; once empty it goes
     * (another daemon's CRI containers on this host would keep it non-empty, and then it stays).
     */
    private static void removeEmptyRuncRoot() {
        Path root = PrivateContainerd.RUNC_ROOT.resolve(BusyboxImages.CRI_NAMESPACE);
        try {
            Files.deleteIfExists(root);
        } catch (DirectoryNotEmptyException e) {
            System.err.println("CriScenarios: " + root + " not empty, left in place");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a pod; fails when the handler's shim binary is missing. */
    static CriPod runPod(CriHandler handler, String name) {
        handler.shim().requireInstalled();
        return CriPod.run(containerd, cri, handler, name);
    }
}
