package io.jrunc.runc.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code runc checkpoint} and {@code runc restore} pass on to criu. Empty strings and false mean "not
 * given" (runc's defaults apply).
 *
 * @param imagePath where the checkpoint images are (written or read)
 * @param workPath criu's scratch directory and logs ({@code dump.log}, {@code restore.log})
 * @param parentPath an earlier (pre-dump) checkpoint this one builds on
 * @param openTcp checkpoint established TCP connections ({@code --tcp-established})
 * @param externalUnixSockets allow external unix sockets ({@code --ext-unix-sk})
 * @param shellJob allow a terminal ({@code --shell-job})
 * @param fileLocks checkpoint file locks
 * @param cgroupsMode {@code soft}, {@code full} or {@code strict}
 * @param emptyNamespaces namespaces recreated empty on restore ({@code --empty-ns}, one per entry)
 */
public record CriuOptions(String imagePath, String workPath, String parentPath, boolean openTcp,
        boolean externalUnixSockets, boolean shellJob, boolean fileLocks, String cgroupsMode,
        List<String> emptyNamespaces) {

    public CriuOptions {
        emptyNamespaces = List.copyOf(emptyNamespaces);
    }

    /** Only the paths: what a restore uses. */
    public static CriuOptions paths(String imagePath, String workPath, String parentPath) {
        return new CriuOptions(imagePath, workPath, parentPath, false, false, false, false, "", List.of());
    }

    /** The flags in go-runc's order, which is what the Go shim's runc invocations look like. */
    List<String> args() {
        List<String> out = new ArrayList<>();
        addValue(out, "--image-path", imagePath);
        addValue(out, "--work-path", workPath);
        addValue(out, "--parent-path", parentPath);
        addFlag(out, "--tcp-established", openTcp);
        addFlag(out, "--ext-unix-sk", externalUnixSockets);
        addFlag(out, "--shell-job", shellJob);
        addFlag(out, "--file-locks", fileLocks);
        addValue(out, "--manage-cgroups-mode", cgroupsMode);
        for (String ns : emptyNamespaces) {
            out.add("--empty-ns");
            out.add(ns);
        }
        return out;
    }

    private static void addValue(List<String> out, String flag, String value) {
        if (!value.isEmpty()) {
            out.add(flag);
            out.add(value);
        }
    }

    private static void addFlag(List<String> out, String flag, boolean set) {
        if (set) {
            out.add(flag);
        }
    }
}
