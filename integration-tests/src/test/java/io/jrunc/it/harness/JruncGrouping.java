package io.jrunc.it.harness;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the JAVA shim groups containers into daemons in a test run: {@code -Djrunc.it.grouping=namespace|pod|container}
 * (default: the shim's default, namespace) and {@code -Djrunc.it.linger=<duration>} (default 1s, so that a shared
 * daemon is gone well within {@link ShimScenario#LEFTOVER_GRACE}). Every {@link PrivateContainerd} gets them in its
 * environment ({@code JRUNC_GROUPING}, {@code JRUNC_LINGER}), so they reach ctr, gRPC and CRI containers alike, and
 * {@link ShimScenario} also puts them on every JAVA container as annotations. E.g. the lifecycle scenarios with one
 * daemon per pod (the Go shim's shape):
 * <pre>mvn -B -o -pl integration-tests verify -Dit.test='io.jrunc.it.lifecycle.*' -Djrunc.it.grouping=pod</pre>
 */
public final class JruncGrouping {
    public static final String GROUPING_PROPERTY = "jrunc.it.grouping";
    public static final String LINGER_PROPERTY = "jrunc.it.linger";
    public static final String GROUPING_ANNOTATION = "io.jrunc.grouping";
    public static final String LINGER_ANNOTATION = "io.jrunc.linger";
    /** The grouping key of a namespace's shared daemon (io.jrunc.shim.Grouping.SHARED_KEY). */
    public static final String SHARED_KEY = "@jrunc-shared";
    /** A daemon's state file is its socket path plus this. */
    public static final String STATE_SUFFIX = ".pid";

    private JruncGrouping() {
    }

    /** The grouping this run asks for, empty for the shim's default. */
    public static String mode() {
        return System.getProperty(GROUPING_PROPERTY, "").strip();
    }

    /** What every private containerd of the run has in its environment, for the shims it starts. */
    public static java.util.Map<String, String> containerdEnvironment() {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put("JRUNC_LINGER", System.getProperty(LINGER_PROPERTY, "1s"));
        if (!mode().isEmpty()) {
            env.put("JRUNC_GROUPING", mode());
        }
        return env;
    }

    /** {@code ctr run} options that put a container in this run's grouping (none for the default). */
    public static List<String> ctrOptions() {
        List<String> options = new ArrayList<>();
        if (!mode().isEmpty()) {
            options.addAll(List.of("--annotation", GROUPING_ANNOTATION + "=" + mode()));
            options.addAll(List.of("--annotation", LINGER_ANNOTATION + "=" + System.getProperty(LINGER_PROPERTY, "1s")));
        }
        return options;
    }

    /** The socket of a namespace's shared daemon. */
    public static Path sharedSocket(Path grpcSocket, String namespace) {
        return ShimAddress.derived(grpcSocket, namespace, SHARED_KEY);
    }

    /** The state file next to a daemon socket. */
    public static Path stateFile(Path socket) {
        return socket.resolveSibling(socket.getFileName() + STATE_SUFFIX);
    }

    /** The status file (for `containerd-shim-jrunc-v2 status`) next to a daemon socket. */
    public static Path statusFile(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".status");
    }
}
