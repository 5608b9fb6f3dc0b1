package io.jrunc.shim;

import java.util.Map;

/**
 * Which containers one shim daemon serves. The daemon's socket is named after a grouping key (see
 * {@link ShimSocketAddress#of}), so every container with the same key reaches the same daemon.
 */
public enum Grouping {
    /** One daemon for every container of a containerd namespace (fewest JVMs; one crash touches them all). */
    NAMESPACE("namespace"),
    /** The Go shim's way: the containers of one pod (group annotations), else one daemon per container. */
    POD("pod"),
    /** One daemon per container, whatever its annotations say. */
    CONTAINER("container");

    /**
     * The grouping key of a namespace's shared daemon. '@' cannot occur in a containerd container id,
     * so no container's own key collides with it.
     */
    public static final String SHARED_KEY = "@jrunc-shared";

    /**
     * The key of a namespace's {@code index}-th daemon when {@code max-containers} bounds each: the first is
     * {@link #SHARED_KEY} itself, so turning the bound on or off keeps the first daemon's socket.
     */
    public static String sharedKey(int index) {
        return index == 0 ? SHARED_KEY : SHARED_KEY + "-" + index;
    }

    private final String word;

    Grouping(String word) {
        this.word = word;
    }

    /** The name used in annotations, the environment and the config file. */
    public String word() {
        return word;
    }

    /** The key the socket of the daemon serving container {@code id} is named after; pods as the runtime sees them. */
    public String key(Map<String, ?> annotations, String id, ShimRuntime runtime) {
        return switch (this) {
            case NAMESPACE -> SHARED_KEY;
            case POD -> runtime.podGroupKey(annotations, id);
            case CONTAINER -> id;
        };
    }

    /** Parses {@link #word()}; throws with the accepted words otherwise. */
    public static Grouping parse(String text) {
        for (Grouping grouping : values()) {
            if (grouping.word.equals(text)) {
                return grouping;
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a grouping (expected namespace, pod or container)");
    }
}
