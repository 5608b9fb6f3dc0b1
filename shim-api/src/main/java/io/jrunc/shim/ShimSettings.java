package io.jrunc.shim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a container's daemon is chosen ({@link Grouping}), how many containers one shared daemon serves
 * at most, and how long an idle shared daemon stays. Each setting comes from the first of: the
 * container's OCI annotation ({@code io.jrunc.grouping}, {@code io.jrunc.max-containers},
 * {@code io.jrunc.linger}), the environment containerd gives the shim ({@code JRUNC_GROUPING},
 * {@code JRUNC_MAX_CONTAINERS}, {@code JRUNC_LINGER}), the config file ({@code JRUNC_CONFIG}, default
 * /etc/jrunc/config.toml, keys {@code grouping}, {@code max_containers}, {@code linger}), the default
 * (namespace grouping, no limit, 30 s linger for a namespace daemon).
 *
 * <p>containerd 1.6 gives a non-runc runtime's {@code start} no per-runtime options of ours (only
 * CRI's or ctr's generic runtimeoptions, and only to the JVM path), hence annotations for one
 * container and environment or file for a whole containerd. The launcher script resolves grouping
 * the same way, so its JVM-free {@code start} picks the same socket.
 *
 * @param grouping which containers share the daemon
 * @param maxContainers the most containers one namespace daemon serves; 0 for no limit
 * @param linger the linger as written, empty for the default
 * @param lingerOrigin where {@code linger} came from, for error messages
 */
public record ShimSettings(Grouping grouping, int maxContainers, Optional<String> linger, String lingerOrigin) {
    public static final String GROUPING_ANNOTATION = "io.jrunc.grouping";
    public static final String MAX_CONTAINERS_ANNOTATION = "io.jrunc.max-containers";
    public static final String LINGER_ANNOTATION = "io.jrunc.linger";
    public static final String GROUPING_ENV = "JRUNC_GROUPING";
    public static final String MAX_CONTAINERS_ENV = "JRUNC_MAX_CONTAINERS";
    public static final String LINGER_ENV = "JRUNC_LINGER";
    public static final String CONFIG_ENV = "JRUNC_CONFIG";
    public static final Path DEFAULT_CONFIG = Path.of("/etc/jrunc/config.toml");
    /** One daemon per namespace: a JVM's fixed cost is paid once per node, not once per pod. */
    public static final Grouping DEFAULT_GROUPING = Grouping.NAMESPACE;
    /** More would be a typo: one daemon is tested with 300 containers. */
    static final int MAX_CONTAINERS_LIMIT = 100_000;
    public static final Duration DEFAULT_SHARED_LINGER = Duration.ofSeconds(30);
    /** Longer would keep an unused JVM around for more than a day; surely a typo. */
    static final Duration MAX_LINGER = Duration.ofHours(24);

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h)?");

    /** Resolves both settings; the config file is read only when the annotations and environment leave one open. */
    public static ShimSettings resolve(Map<String, ?> annotations, Map<String, String> env) throws ShimUsageException {
        Source source = new Source(annotations, env);
        Optional<Setting> grouping = source.find(GROUPING_ANNOTATION, GROUPING_ENV, "grouping");
        Grouping mode = DEFAULT_GROUPING;
        if (grouping.isPresent()) {
            try {
                mode = Grouping.parse(grouping.get().value());
            } catch (IllegalArgumentException e) {
                throw new ShimUsageException("invalid " + grouping.get().origin() + ": " + e.getMessage());
            }
        }
        Optional<Setting> max = source.find(MAX_CONTAINERS_ANNOTATION, MAX_CONTAINERS_ENV, "max_containers");
        int maxContainers = 0;
        if (max.isPresent()) {
            try {
                maxContainers = parseMaxContainers(max.get().value());
            } catch (IllegalArgumentException e) {
                throw new ShimUsageException("invalid " + max.get().origin() + ": " + e.getMessage());
            }
        }
        Optional<Setting> linger = source.find(LINGER_ANNOTATION, LINGER_ENV, "linger");
        return new ShimSettings(mode, maxContainers, linger.map(Setting::value), linger.map(Setting::origin).orElse("default"));
    }

    /** Whether containers take numbered slots of a bounded daemon (see {@link DaemonSlots}). */
    public boolean bounded() {
        return grouping == Grouping.NAMESPACE && maxContainers > 0;
    }

    /** {@code 0} (no limit) or a positive count; canonical decimal, as the launcher script checks it. */
    static int parseMaxContainers(String text) {
        if (!text.matches("0|[1-9][0-9]{0,5}") || Integer.parseInt(text) > MAX_CONTAINERS_LIMIT) {
            throw new IllegalArgumentException("\"" + text + "\" is not a container count (0 for no limit, at most "
                    + MAX_CONTAINERS_LIMIT + ")");
        }
        return Integer.parseInt(text);
    }

    /**
     * How long a daemon stays after its last container is gone: only a namespace daemon lingers (a pod's or
     * a container's daemon is never reused), by default {@link #DEFAULT_SHARED_LINGER}.
     */
    public Duration lingerDuration() throws ShimUsageException {
        if (grouping != Grouping.NAMESPACE) {
            return Duration.ZERO;
        }
        if (linger.isEmpty()) {
            return DEFAULT_SHARED_LINGER;
        }
        try {
            return parseDuration(linger.get());
        } catch (IllegalArgumentException e) {
            throw new ShimUsageException("invalid " + lingerOrigin + ": " + e.getMessage());
        }
    }

    /** {@code 0}, {@code 30} (seconds), {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; at most 24 h. */
    static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (e.g. 0, 500ms, 30s, 5m)");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (d.compareTo(MAX_LINGER) > 0) {
            throw new IllegalArgumentException("\"" + text + "\" is longer than " + MAX_LINGER.toHours() + "h");
        }
        return d;
    }

    /** The config file's path: {@code JRUNC_CONFIG}, else {@link #DEFAULT_CONFIG}. */
    static Path configFile(Map<String, String> env) {
        String path = env.get(CONFIG_ENV);
        return path == null || path.isBlank() ? DEFAULT_CONFIG : Path.of(path);
    }

    private record Setting(String value, String origin) {}

    private static final class Source {
        private final Map<String, ?> annotations;
        private final Map<String, String> env;
        private Map<String, String> file;

        Source(Map<String, ?> annotations, Map<String, String> env) {
            this.annotations = annotations;
            this.env = env;
        }

        Optional<Setting> find(String annotation, String envName, String fileKey) throws ShimUsageException {
            Object fromAnnotation = annotations.get(annotation);
            if (fromAnnotation != null) {
                if (!(fromAnnotation instanceof String text)) {
                    throw new ShimUsageException("invalid annotation " + annotation + ": not a string");
                }
                return Optional.of(new Setting(text, "annotation " + annotation + "=\"" + text + "\""));
            }
            String fromEnv = env.get(envName);
            if (fromEnv != null && !fromEnv.isEmpty()) {
                return Optional.of(new Setting(fromEnv, "environment variable " + envName + "=\"" + fromEnv + "\""));
            }
            if (file == null) {
                file = ShimConfigFile.read(configFile(env));
            }
            String fromFile = file.get(fileKey);
            if (fromFile != null) {
                return Optional.of(new Setting(fromFile, fileKey + " = \"" + fromFile + "\" in " + configFile(env)));
            }
            return Optional.empty();
        }
    }
}
