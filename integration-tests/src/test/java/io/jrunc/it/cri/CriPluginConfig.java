package io.jrunc.it.cri;

import io.jrunc.it.harness.ContainerdDistribution;
import io.jrunc.it.harness.OperatingDoc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * containerd's CRI plugin configuration for a throw-away daemon, given to {@code PrivateContainerd.startWithCri}:
 * <ul>
 * <li>one runtime handler per {@link CriHandler}, each with only {@code runtime_type}: containerd then passes
 *     no runc options to a non-runc runtime type, so each shim must work from its own defaults;</li>
 * <li>{@code restrict_oom_score_adj}: this VM refuses writes to oom_score_adj, without which runc fails to
 *     start a sandbox ("can't get final child's PID from pipe: EOF");</li>
 * <li>CNI dirs that are empty temp dirs: pods use the host network, so no CNI plugin runs (the plugin logs
 *     that it found no network config and carries on);</li>
 * <li>the sandbox image is {@link BusyboxImages#PAUSE}, imported before the first pod, so nothing is pulled;</li>
 * <li>the streaming server (Exec URLs) on 127.0.0.1 and a free port.</li>
 * </ul>
 * containerd 1.x (config schema 2) has one plugin, {@code io.containerd.grpc.v1.cri}, for all of it; 2.x (schema
 * 3) splits it into {@code io.containerd.cri.v1.images}, {@code io.containerd.cri.v1.runtime} and the gRPC
 * front {@code io.containerd.grpc.v1.cri} that keeps only the streaming settings.
 */
final class CriPluginConfig {
    private CriPluginConfig() {
    }

    /** The TOML tables for {@code release}'s daemon in {@code dir}; creates the empty CNI dirs there. */
    static String forDaemon(ContainerdDistribution release, Path dir) {
        Path cniConf = dir.resolve("cni/conf");
        Path cniBin = dir.resolve("cni/bin");
        try {
            Files.createDirectories(cniConf);
            Files.createDirectories(cniBin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return release.configVersion() >= 3 ? schema3(cniBin, cniConf) : schema2(cniBin, cniConf);
    }

    private static String schema2(Path cniBin, Path cniConf) {
        String cri = "plugins.\"io.containerd.grpc.v1.cri\"";
        return """
                [%1$s]
                  sandbox_image = "%2$s"
                  restrict_oom_score_adj = true
                  disable_tcp_service = true
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  enable_selinux = false
                  [%1$s.cni]
                    bin_dir = "%3$s"
                    conf_dir = "%4$s"
                  [%1$s.containerd]
                    default_runtime_name = "%5$s"
                    snapshotter = "overlayfs"
                """.formatted(cri, BusyboxImages.PAUSE, cniBin, cniConf, CriHandler.RUNC.handlerName())
                + handlers(cri + ".containerd.runtimes", JRUNC_SNIPPET_V2);
    }

    private static String schema3(Path cniBin, Path cniConf) {
        String images = "plugins.\"io.containerd.cri.v1.images\"";
        String runtime = "plugins.\"io.containerd.cri.v1.runtime\"";
        return """
                [%1$s]
                  snapshotter = "overlayfs"
                  [%1$s.pinned_images]
                    sandbox = "%3$s"
                [%2$s]
                  restrict_oom_score_adj = true
                  enable_selinux = false
                  [%2$s.cni]
                    bin_dirs = ["%4$s"]
                    conf_dir = "%5$s"
                  [%2$s.containerd]
                    default_runtime_name = "%6$s"
                [plugins."io.containerd.grpc.v1.cri"]
                  disable_tcp_service = true
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                """.formatted(images, runtime, BusyboxImages.PAUSE, cniBin, cniConf, CriHandler.RUNC.handlerName())
                + handlers(runtime + ".containerd.runtimes", JRUNC_SNIPPET_V3);
    }

    /** docs/operating.md's runtime handler tables for containerd 1.x and 2.x: the jrunc handler is configured with them. */
    static final String JRUNC_SNIPPET_V2 = "containerd-v2-runtime";
    static final String JRUNC_SNIPPET_V3 = "containerd-v3-runtime";

    /**
     * One table per handler under {@code table}; jrunc's is the operator's recipe, docs/operating.md's snippet
     * {@code jruncSnippet}, verbatim (which must name that table).
     */
    private static String handlers(String table, String jruncSnippet) {
        StringBuilder toml = new StringBuilder();
        for (CriHandler handler : CriHandler.values()) {
            if (handler == CriHandler.JRUNC) {
                String doc = OperatingDoc.snippet(jruncSnippet);
                String header = "[" + table + "." + handler.handlerName() + "]";
                if (!doc.startsWith(header + "\n")) {
                    throw new IllegalStateException("docs/operating.md snippet " + jruncSnippet + " must begin with "
                            + header + ":\n" + doc);
                }
                toml.append(doc);
                continue;
            }
            toml.append("""
                    [%s.%s]
                      runtime_type = "%s"
                    """.formatted(table, handler.handlerName(), handler.shim().runtime()));
        }
        return toml.toString();
    }
}
