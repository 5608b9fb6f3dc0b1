package io.jrunc.shim;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The shim's command line as containerd sends it ({@code -namespace ns -address a -id x [-bundle b] [-debug] [action]}).
 *
 * @param address containerd's gRPC socket path (also the seed of the shim socket's name)
 * @param publishBinary path of the containerd binary (legacy event path), may be empty
 * @param bundle the bundle directory; containerd only sends it to {@code delete}, otherwise the working directory
 * @param socket a socket path to listen on instead of the inherited fd 3 (never sent by containerd)
 * @param action the action, empty for serve
 */
public record ShimFlags(
        String namespace,
        String id,
        String address,
        String publishBinary,
        Path bundle,
        boolean debug,
        Optional<Path> socket,
        Action action) {

    public enum Action {
        START,
        DELETE,
        SERVE,
        VERSION
    }
}
