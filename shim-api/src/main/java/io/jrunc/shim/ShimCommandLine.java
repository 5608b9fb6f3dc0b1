package io.jrunc.shim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Parses the shim's arguments the way Go's {@code flag} package does ({@code -flag value},
 * {@code --flag value}, {@code -flag=value}, bare booleans), up to the first non-flag argument,
 * which is the action. Unlike Go, unknown flags are skipped: newer containerd versions may add some.
 */
public final class ShimCommandLine {

    private static final Set<String> STRING_FLAGS =
            Set.of("namespace", "id", "address", "publish-binary", "bundle", "socket", "debug-socket");
    private static final Set<String> BOOLEAN_FLAGS = Set.of("debug", "v", "version", "info");
    private static final Set<String> ACTIONS = Set.of("start", "delete");

    private ShimCommandLine() {}

    public static ShimFlags parse(String[] args) throws ShimUsageException {
        Values values = new Values();
        String action = null;
        int i = 0;
        while (i < args.length) {
            String arg = args[i];
            if (arg.equals("--")) {
                i++;
                break;
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                break;
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            int eq = body.indexOf('=');
            String name = eq < 0 ? body : body.substring(0, eq);
            String inline = eq < 0 ? null : body.substring(eq + 1);
            i++;
            if (BOOLEAN_FLAGS.contains(name)) {
                values.setBoolean(name, inline == null || parseBoolean(name, inline));
            } else if (STRING_FLAGS.contains(name)) {
                if (inline != null) {
                    values.setString(name, inline);
                } else if (i < args.length) {
                    values.setString(name, args[i++]);
                } else {
                    throw new ShimUsageException("flag needs an argument: -" + name);
                }
            } else if (inline == null && takesValue(args, i)) {
                i++; // an unknown flag with its value
            }
        }
        List<String> positional = new ArrayList<>();
        for (; i < args.length; i++) {
            positional.add(args[i]);
        }
        if (!positional.isEmpty()) {
            action = positional.get(0);
        }
        return values.toFlags(action);
    }

    /** Whether the argument after an unknown flag is its value rather than the action or another flag. */
    private static boolean takesValue(String[] args, int next) {
        if (next >= args.length || args[next].startsWith("-")) {
            return false;
        }
        return !(ACTIONS.contains(args[next]) && next == args.length - 1);
    }

    private static boolean parseBoolean(String name, String value) throws ShimUsageException {
        return switch (value) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new ShimUsageException("invalid boolean value \"" + value + "\" for -" + name);
        };
    }

    private static final class Values {
        String namespace = "";
        String id = "";
        String address = "";
        String publishBinary = "";
        String bundle = "";
        String socket = "";
        boolean debug;
        boolean version;

        void setString(String name, String value) {
            switch (name) {
                case "namespace" -> namespace = value;
                case "id" -> id = value;
                case "address" -> address = value;
                case "publish-binary" -> publishBinary = value;
                case "bundle" -> bundle = value;
                case "socket" -> socket = value;
                default -> {} // known but unused (-debug-socket)
            }
        }

        void setBoolean(String name, boolean value) {
            switch (name) {
                case "debug" -> debug = value;
                case "v", "version" -> version = value;
                default -> {} // known but unused (-info)
            }
        }

        ShimFlags toFlags(String actionName) throws ShimUsageException {
            Path bundlePath = bundle.isEmpty() ? Path.of("").toAbsolutePath() : Path.of(bundle).toAbsolutePath();
            Optional<Path> socketPath = socket.isEmpty() ? Optional.empty() : Optional.of(Path.of(socket));
            if (version) {
                return new ShimFlags(namespace, id, address, publishBinary, bundlePath, debug, socketPath, ShimFlags.Action.VERSION);
            }
            ShimFlags.Action action;
            if (actionName == null) {
                action = ShimFlags.Action.SERVE;
            } else {
                action = switch (actionName) {
                    case "start" -> ShimFlags.Action.START;
                    case "delete" -> ShimFlags.Action.DELETE;
                    default -> throw new ShimUsageException(
                            "unknown action \"" + actionName + "\" (expected start, delete or none to serve)");
                };
            }
            List<String> missing = new ArrayList<>();
            if (namespace.isEmpty()) {
                missing.add("-namespace");
            }
            if (id.isEmpty()) {
                missing.add("-id");
            }
            if (address.isEmpty()) {
                missing.add("-address");
            }
            if (!missing.isEmpty()) {
                throw new ShimUsageException("missing " + String.join(", ", missing) + " (usage: -namespace <ns> -id <id>"
                        + " -address <containerd socket> [-debug] [start|delete])");
            }
            return new ShimFlags(namespace, id, address, publishBinary, bundlePath, debug, socketPath, action);
        }
    }
}
