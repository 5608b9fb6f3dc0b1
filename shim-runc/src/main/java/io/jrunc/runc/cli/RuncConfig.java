package io.jrunc.runc.cli;

import io.jrunc.proto.runc.v1.Options;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The runc binary and the global flags every invocation for one container carries.
 *
 * @param binary runc binary (name on PATH or absolute path)
 * @param root runc's state root, namespace included ({@code /run/containerd/runc/<ns>})
 * @param log runc's JSON log ({@code <bundle>/log.json}), whose last error explains failures
 * @param criuPath criu binary, empty for runc's default
 */
public record RuncConfig(String binary, Path root, Path log, boolean systemdCgroup, String criuPath) {

    public static final String DEFAULT_BINARY = "runc";
    public static final Path DEFAULT_ROOT = Path.of("/run/containerd/runc");

    /** The configuration the Go shim derives from the runc options of a container in {@code bundle}. */
    public static RuncConfig of(Options options, Path bundle, String namespace) {
        String binary = options.getBinaryName().isEmpty() ? DEFAULT_BINARY : options.getBinaryName();
        Path root = options.getRoot().isEmpty() ? DEFAULT_ROOT : Path.of(options.getRoot());
        return new RuncConfig(binary, root.resolve(namespace), bundle.resolve("log.json"),
                options.getSystemdCgroup(), options.getCriuPath());
    }

    /** {@code <binary> --root R --log L --log-format json [--criu C] [--systemd-cgroup]}. */
    List<String> command(List<String> subcommand) {
        List<String> argv = new ArrayList<>();
        argv.add(binary);
        argv.add("--root");
        argv.add(root.toString());
        argv.add("--log");
        argv.add(log.toString());
        argv.add("--log-format");
        argv.add("json");
        if (!criuPath.isEmpty()) {
            argv.add("--criu");
            argv.add(criuPath);
        }
        if (systemdCgroup) {
            argv.add("--systemd-cgroup");
        }
        argv.addAll(subcommand);
        return argv;
    }
}
