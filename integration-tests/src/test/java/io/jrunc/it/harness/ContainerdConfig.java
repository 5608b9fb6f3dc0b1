package io.jrunc.it.harness;

import java.nio.file.Path;

/**
 * A containerd config.toml for a throw-away daemon: everything it owns lives under one directory, the CRI
 * plugin is off (it would want CNI and an image registry), debug logs on. The ttrpc address is left at its
 * default, "{grpc address}.ttrpc".
 *
 * <p>{@code schema} is the config version: 2 for containerd 1.6/1.7, 3 for 2.x. In 3 the CRI plugin is split
 * into io.containerd.cri.v1.images, io.containerd.cri.v1.runtime and io.containerd.grpc.v1.cri, and NRI is on
 * by default with a host-wide socket (/var/run/nri/nri.sock), so it is turned off too.
 */
record ContainerdConfig(Path root, Path state, Path grpcSocket, Path optDir, int schema) {

    static ContainerdConfig under(Path dir) {
        return under(dir, 2);
    }

    static ContainerdConfig under(Path dir, int schema) {
        if (schema != 2 && schema != 3) {
            throw new IllegalArgumentException("containerd config schema " + schema + " (2 for 1.x, 3 for 2.x)");
        }
        return new ContainerdConfig(dir.resolve("root"), dir.resolve("state"), dir.resolve("containerd.sock"),
                dir.resolve("opt"), schema);
    }

    String toToml() {
        String disabled = schema == 2
                ? "[\"io.containerd.grpc.v1.cri\"]"
                : "[\"io.containerd.cri.v1.images\", \"io.containerd.cri.v1.runtime\", \"io.containerd.grpc.v1.cri\"]";
        String nri = schema == 2 ? "" : """

                [plugins."io.containerd.nri.v1.nri"]
                  disable = true
                """;
        return """
                version = %d
                root = %s
                state = %s
                disabled_plugins = %s

                [grpc]
                  address = %s

                [debug]
                  level = "debug"

                [plugins."io.containerd.internal.v1.opt"]
                  path = %s
                """.formatted(schema, quote(root), quote(state), disabled, quote(grpcSocket), quote(optDir)) + nri;
    }

    /**
     * {@link #toToml()} with containerd's CRI plugin(s) enabled instead of disabled: {@code criPlugin} holds their
     * TOML tables for this schema (see io.jrunc.it.cri.CriPluginConfig).
     */
    String toToml(String criPlugin) {
        String base = toToml();
        String withoutDisabled = base.replaceFirst("(?m)^disabled_plugins = .*\n", "");
        if (withoutDisabled.equals(base)) {
            throw new IllegalStateException("config no longer disables the CRI plugin as expected:\n" + base);
        }
        return withoutDisabled + "\n" + criPlugin;
    }

    private static String quote(Path p) {
        String s = p.toString();
        if (s.contains("\"") || s.contains("\\")) {
            throw new IllegalArgumentException("path unsuitable for a TOML basic string: " + s);
        }
        return "\"" + s + "\"";
    }
}
