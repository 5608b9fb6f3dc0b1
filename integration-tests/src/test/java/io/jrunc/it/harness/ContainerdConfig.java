package io.jrunc.it.harness;

import java.nio.file.Path;

/**
 * A containerd 1.6 config.toml (schema version 2) for a throw-away daemon: everything it owns lives
 * under one directory, the CRI plugin is off (it would want CNI and an image registry), debug logs on.
 * The ttrpc address is left at its default, "{grpc address}.ttrpc".
 */
record ContainerdConfig(Path root, Path state, Path grpcSocket, Path optDir) {

    static ContainerdConfig under(Path dir) {
        return new ContainerdConfig(dir.resolve("root"), dir.resolve("state"), dir.resolve("containerd.sock"),
                dir.resolve("opt"));
    }

    String toToml() {
        return """
                version = 2
                root = %s
                state = %s
                disabled_plugins = ["io.containerd.grpc.v1.cri"]

                [grpc]
                  address = %s

                [debug]
                  level = "debug"

                [plugins."io.containerd.internal.v1.opt"]
                  path = %s
                """.formatted(quote(root), quote(state), quote(grpcSocket), quote(optDir));
    }

    private static String quote(Path p) {
        String s = p.toString();
        if (s.contains("\"") || s.contains("\\")) {
            throw new IllegalArgumentException("path unsuitable for a TOML basic string: " + s);
        }
        return "\"" + s + "\"";
    }
}
