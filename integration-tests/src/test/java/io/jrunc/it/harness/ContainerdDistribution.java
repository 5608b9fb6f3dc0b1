package io.jrunc.it.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One containerd release the tests can run: a bin dir holding its {@code containerd}, its {@code ctr} and
 * its Go shim {@code containerd-shim-runc-v2} (so the GO shim of a daemon is always that release's own).
 * 1.6 is the system's (/usr/bin, Debian 12); 1.7 (Debian trixie) and 2.1 (Debian sid) are unpacked by
 * {@code scripts/fetch-containerd.sh} into {@code <cache>/<version>/root/usr/bin}, never installed.
 *
 * <p>{@link #obtain} runs the script when a version is not cached yet; when that fails (no network, the
 * suite moved on to another release) it throws with the script's reason, so tests of that version fail
 * loudly instead of being skipped. The outcome is remembered for the whole test JVM.
 *
 * @param version      "1.6", "1.7" or "2.1"
 * @param binDir       where containerd, ctr and containerd-shim-runc-v2 of that release are
 * @param packageLabel what the binary says about itself ({@code containerd --version}), for reports
 */
public record ContainerdDistribution(String version, Path binDir, String packageLabel) {
    /** Every release the conformance matrix knows, oldest first. */
    public static final List<String> VERSIONS = List.of("1.6", "1.7", "2.1");
    /** Overrides the cache dir (default {@value #DEFAULT_CACHE}, or $JRUNC_CONTAINERD_CACHE). */
    public static final String CACHE_PROPERTY = "jrunc.it.containerdCache";
    public static final String DEFAULT_CACHE = "/var/cache/jrunc/containerd";
    private static final Path SYSTEM_BIN = Path.of("/usr/bin");
    private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(10);
    private static final Map<String, Outcome> OBTAINED = new ConcurrentHashMap<>();

    private record Outcome(ContainerdDistribution distribution, String failure) {
    }

    /** The system's containerd 1.6 (what {@link PrivateContainerd#start()} runs). */
    public static ContainerdDistribution system() {
        return new ContainerdDistribution("1.6", SYSTEM_BIN, "system containerd");
    }

    /**
     * The release {@code version}, fetched first if needed; throws {@link IllegalStateException} saying why
     * when it cannot be had (the same reason on every later call).
     */
    public static ContainerdDistribution obtain(String version) {
        Outcome outcome = OBTAINED.computeIfAbsent(version, ContainerdDistribution::locate);
        if (outcome.failure() != null) {
            throw new IllegalStateException("containerd " + version + " is not available: " + outcome.failure());
        }
        return outcome.distribution();
    }

    private static Outcome locate(String version) {
        if (!VERSIONS.contains(version)) {
            return new Outcome(null, "unknown version, the matrix knows " + VERSIONS);
        }
        Path bin = version.equals("1.6") ? SYSTEM_BIN : cacheDir().resolve(version).resolve("root/usr/bin");
        if (!version.equals("1.6") && !Files.isExecutable(bin.resolve("containerd"))) {
            CommandResult fetch = Command.run(FETCH_TIMEOUT,
                    List.of("sh", ItPaths.projectRoot().resolve("scripts/fetch-containerd.sh").toString(), version),
                    Map.of("JRUNC_CONTAINERD_CACHE", cacheDir().toString()));
            if (!fetch.ok()) {
                return new Outcome(null, "scripts/fetch-containerd.sh " + version + " exited " + fetch.exitCode() + ": "
                        + reason(fetch.stderr() + fetch.stdout()));
            }
        }
        for (String binary : List.of("containerd", "ctr", "containerd-shim-runc-v2")) {
            if (!Files.isExecutable(bin.resolve(binary))) {
                return new Outcome(null, bin.resolve(binary) + " is missing");
            }
        }
        CommandResult v = Command.run(Duration.ofSeconds(20), List.of(bin.resolve("containerd").toString(), "--version"));
        if (!v.ok()) {
            return new Outcome(null, bin.resolve("containerd") + " --version failed: " + v.describe());
        }
        String label = v.stdout().strip();
        if (!label.contains(" " + version + ".")) {
            return new Outcome(null, bin.resolve("containerd") + " is not " + version + ".x: " + label);
        }
        return new Outcome(new ContainerdDistribution(version, bin, label), null);
    }

    /** Where fetch-containerd.sh keeps the unpacked releases. */
    public static Path cacheDir() {
        String configured = System.getProperty(CACHE_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv().getOrDefault("JRUNC_CONTAINERD_CACHE", DEFAULT_CACHE);
        }
        return Path.of(configured);
    }

    /** The script's own verdict first, then apt's errors; apt's progress lines only when there is nothing else. */
    private static String reason(String output) {
        List<String> lines = output.strip().lines().map(String::strip).toList();
        List<String> verdict = lines.stream().filter(l -> l.startsWith("fetch-containerd:")).toList();
        List<String> errors = lines.stream().filter(l -> l.startsWith("E:")).toList();
        List<String> picked = new java.util.ArrayList<>(verdict.isEmpty() ? List.of() : List.of(verdict.getLast()));
        picked.addAll(errors);
        if (picked.isEmpty()) {
            picked.addAll(lines.subList(Math.max(0, lines.size() - 6), lines.size()));
        }
        return String.join(" / ", picked);
    }

    public Path containerd() {
        return binDir.resolve("containerd");
    }

    public Path ctr() {
        return binDir.resolve("ctr");
    }

    /** This release's Go reference shim, which its containerd finds first on PATH for io.containerd.runc.v2. */
    public Path goShim() {
        return binDir.resolve("containerd-shim-runc-v2");
    }

    public boolean isSystem() {
        return binDir.equals(SYSTEM_BIN);
    }

    public int major() {
        return Integer.parseInt(version.substring(0, version.indexOf('.')));
    }

    /** config.toml schema: 2 for 1.x, 3 for 2.x (new plugin ids, e.g. the CRI plugin split in three). */
    public int configVersion() {
        return major() >= 2 ? 3 : 2;
    }

    @Override
    public String toString() {
        return "containerd " + version + " (" + binDir + ")";
    }
}
