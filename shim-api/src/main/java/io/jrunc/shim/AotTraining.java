package io.jrunc.shim;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.CreateTaskResponse;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.DeleteResponse;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.PidsRequest;
import io.jrunc.proto.task.v2.PidsResponse;
import io.jrunc.proto.task.v2.ShutdownRequest;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.task.v2.WaitRequest;
import io.jrunc.proto.task.v2.WaitResponse;
import io.jrunc.proto.types.Mount;
import io.jrunc.ttrpc.TtrpcClient;
import io.jrunc.ttrpc.TtrpcException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The training workload of the launcher's AOT cache (JDK 25 {@code -XX:AOTCacheOutput}): runs the
 * shim's own paths once, in one JVM and in a scratch directory, so that the classes they load end
 * up in the cache: a daemon serving ttrpc on a socket (Connect, State, Create of a bundle runc
 * would refuse, Kill, Wait, Pids, Delete, Shutdown), a {@code start} (spawning /bin/true as the
 * daemon, then joining it), a {@code delete}. Then it loads (without initializing) every other
 * class of the runtime's packages, which a container's Create would need. Nothing reaches
 * containerd: the addresses are private to the scratch directory.
 */
public final class AotTraining {
    private static final String TASK = "containerd.task.v2.Task";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    private AotTraining() {}

    /** Runs the workload in {@code work} (an empty directory); returns how many extra classes were loaded. */
    public static int run(ShimRuntime runtime, Path work, List<String> packagePrefixes) throws Exception {
        Path bundle = Files.createDirectories(work.resolve("bundle"));
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
                + "\"annotations\":{\"io.jrunc.grouping\":\"namespace\",\"io.jrunc.linger\":\"0\"}}");
        Path socketDir = Files.createDirectories(work.resolve("s"));
        String containerd = work.resolve("ctd.sock").toString();

        serve(runtime, bundle, socketDir.resolve("daemon"), containerd);
        start(runtime, bundle, socketDir, containerd);
        new DeleteAction(runtime).run(flags(bundle, containerd, ShimFlags.Action.DELETE, Optional.empty()));
        return loadClasses(packagePrefixes);
    }

    private static void serve(ShimRuntime runtime, Path bundle, Path socket, String containerd) throws Exception {
        ShimFlags flags = flags(bundle, containerd, ShimFlags.Action.SERVE, Optional.of(socket));
        CompletableFuture<Integer> daemon = CompletableFuture.supplyAsync(() -> {
            try {
                return new ServeAction(runtime).run(flags);
            } catch (Exception e) {
                throw new IllegalStateException("training daemon failed", e);
            }
        });
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (!Files.exists(socket) && System.nanoTime() < deadline && !daemon.isDone()) {
            Thread.sleep(10);
        }
        try (TtrpcClient client = TtrpcClient.connect(socket)) {
            call(client, "Connect", ConnectRequest.newBuilder().setId("train").build(), ConnectResponse.parser());
            call(client, "State", StateRequest.newBuilder().setId("train").build(), StateResponse.parser());
            call(client, "Create", CreateTaskRequest.newBuilder().setId("train").setBundle(bundle.toString())
                    .addRootfs(Mount.newBuilder().setType("bind").setSource("/nonexistent").addOptions("rbind"))
                    .setStdout("/nonexistent/stdout").build(), CreateTaskResponse.parser());
            call(client, "Kill", KillRequest.newBuilder().setId("train").setSignal(9).build(), com.google.protobuf.Empty.parser());
            call(client, "Wait", WaitRequest.newBuilder().setId("train").build(), WaitResponse.parser());
            call(client, "Pids", PidsRequest.newBuilder().setId("train").build(), PidsResponse.parser());
            call(client, "Delete", DeleteRequest.newBuilder().setId("train").build(), DeleteResponse.parser());
            call(client, "Shutdown", ShutdownRequest.newBuilder().setId("train").build(), com.google.protobuf.Empty.parser());
        }
        daemon.get(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void start(ShimRuntime runtime, Path bundle, Path socketDir, String containerd) throws Exception {
        ShimFlags flags = flags(bundle, containerd, ShimFlags.Action.START, Optional.empty());
        List<String> daemon = List.of("/bin/true");
        new StartAction(StartCalls::jnr, runtime, daemon, socketDir, () -> new byte[0], Map.of()).run(flags);
        // Again: the group's "daemon" has exited, so this finds a stale socket and starts another.
        ShimSocketAddress address = new StartAction(StartCalls::jnr, runtime, daemon, socketDir, () -> new byte[0], Map.of()).run(flags);
        Files.deleteIfExists(address.path());
        Files.deleteIfExists(DaemonStateFile.of(address.path()).path());
    }

    private static <R extends Message> void call(TtrpcClient client, String method, Message request, Parser<R> parser) {
        try {
            client.call(TASK, method, request, parser);
        } catch (TtrpcException expected) {
            // the bundle is not a real container: errors are part of the path being trained
        }
    }

    private static ShimFlags flags(Path bundle, String containerd, ShimFlags.Action action, Optional<Path> socket) {
        return new ShimFlags("aot-training", "train", containerd, "", bundle, false, socket, action);
    }

    /** Loads every class under {@code packagePrefixes} (e.g. "io/jrunc/runc/") found in the class path's jars. */
    private static int loadClasses(List<String> packagePrefixes) throws IOException {
        List<String> names = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                continue;
            }
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of());
                    Stream<Path> files = Files.walk(fs.getPath("/"))) {
                files.map(p -> p.toString().substring(1))
                        .filter(n -> n.endsWith(".class") && !n.contains("-") && packagePrefixes.stream().anyMatch(n::startsWith))
                        .sorted(Comparator.naturalOrder())
                        .forEach(n -> names.add(n.substring(0, n.length() - ".class".length()).replace('/', '.')));
            }
        }
        int loaded = 0;
        for (String name : names) {
            try {
                Class.forName(name, false, AotTraining.class.getClassLoader());
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                // optional or test-only dependencies of a class: not needed at run time
            }
        }
        return loaded;
    }
}
