package io.jrunc.shim;

import io.jrunc.posix.JnrPosix;
import io.jrunc.shim.host.CheckCommand;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The shim's single entry point: parses the command line and runs {@code start}, {@code delete},
 * the daemon, {@code -v}, or the operators' {@code status} and {@code check}. containerd reads stdout of start (the address; stdout and stderr are
 * one pipe) and delete (protobuf only), so System.out/err are muted while an action runs and only
 * the result goes to fd 1. Failures print one line on stderr and exit 1, like the Go shim.
 */
public final class Shim {
    public static final String BINARY_NAME = "containerd-shim-jrunc-v2";
    /** {@code containerd-shim-jrunc-v2 status [-json]}: the daemons of this host, for operators. */
    public static final String STATUS_COMMAND = "status";

    /** System property (set by the launcher script) naming the executable that runs this shim. */
    public static final String LAUNCHER_PROPERTY = "jrunc.launcher";
    public static final String LAUNCHER_ENV = "JRUNC_LAUNCHER";

    /** System property overriding {@link ShimSocketAddress#DEFAULT_SOCKET_DIR}, for tests only. */
    public static final String SOCKET_DIR_PROPERTY = "jrunc.socket.dir";

    private Shim() {}

    /** Runs the action and returns the process exit code (0 ok, 1 usage error or failure). */
    public static int run(String[] args, ShimRuntime runtime) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        OutputStream stderr = new FileOutputStream(FileDescriptor.err);
        PrintStream mute = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        System.setOut(mute);
        System.setErr(mute);
        try {
            if (args.length > 0 && args[0].equals(STATUS_COMMAND)) {
                PrintStream out = new PrintStream(stdout, false, StandardCharsets.UTF_8);
                return new StatusCommand(socketDir()).run(List.of(args).subList(1, args.length), out);
            }
            if (args.length > 0 && args[0].equals(CheckCommand.NAME)) {
                PrintStream out = new PrintStream(stdout, false, StandardCharsets.UTF_8);
                return new CheckCommand(ServeAction.hostProbes(runtime, JnrPosix.instance())).run(out);
            }
            ShimFlags flags = ShimCommandLine.parse(args);
            switch (flags.action()) {
                case VERSION -> write(stdout, (runtime.version().strip() + "\n").getBytes(StandardCharsets.UTF_8));
                case START -> {
                    StartCalls.bindAhead();
                    StartAction start = new StartAction(StartCalls::jnr, runtime, launcherCommand(),
                            socketDir(), Shim::readStdin, System.getenv());
                    write(stdout, start.run(flags).toString().getBytes(StandardCharsets.UTF_8));
                }
                case DELETE -> write(stdout, new DeleteAction(runtime).run(flags));
                case SERVE -> {
                    return new ServeAction(runtime).run(flags);
                }
            }
            return 0;
        } catch (Exception | LinkageError e) {
            writeQuietly(stderr, (BINARY_NAME + ": " + oneLine(e) + "\n").getBytes(StandardCharsets.UTF_8));
            return 1;
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    /** {@link #run} then exit the JVM with its code. */
    public static void main(String[] args, ShimRuntime runtime) {
        System.exit(run(args, runtime));
    }

    /** How to start the daemon: the launcher script that started us (it sets {@value #LAUNCHER_PROPERTY}). */
    static List<String> launcherCommand() throws ShimUsageException {
        String launcher = System.getProperty(LAUNCHER_PROPERTY);
        if (launcher == null || launcher.isBlank()) {
            launcher = System.getenv(LAUNCHER_ENV);
        }
        if (launcher == null || launcher.isBlank()) {
            throw new ShimUsageException("cannot start the daemon: the launcher path is unknown (run "
                    + BINARY_NAME + " or set -D" + LAUNCHER_PROPERTY + ")");
        }
        return List.of(Path.of(launcher).toAbsolutePath().toString());
    }

    static Path socketDir() {
        String dir = System.getProperty(SOCKET_DIR_PROPERTY);
        return dir == null || dir.isBlank() ? ShimSocketAddress.DEFAULT_SOCKET_DIR : Path.of(dir);
    }

    static String oneLine(Throwable e) {
        String message = e.getMessage();
        if (e instanceof ShimUsageException && message != null) {
            return message;
        }
        String text = message == null || message.isBlank() ? e.toString() : message;
        return text.replace('\n', ' ').replace('\r', ' ');
    }

    private static byte[] readStdin() {
        try {
            return System.in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void write(OutputStream out, byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private static void writeQuietly(OutputStream out, byte[] bytes) {
        try {
            write(out, bytes);
        } catch (IOException ignored) {
            // nobody to tell
        }
    }
}
