package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Any;
import io.jrunc.posix.Posix;
import io.jrunc.posix.PosixException;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.proto.task.v2.CreateTaskRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.task.v2.WaitRequest;
import io.jrunc.proto.task.v2.WaitResponse;
import io.jrunc.runc.cgroups.CgroupLocator;
import io.jrunc.runc.cgroups.CgroupMode;
import io.jrunc.runc.cli.CommandRunner;
import io.jrunc.runc.io.ProcessIoFactory;
import io.jrunc.runc.mount.RootfsMounter;
import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.runc.testsupport.Natives;
import io.jrunc.runc.testsupport.RecordingEvents;
import io.jrunc.shim.ShimContext;
import io.jrunc.shim.ShimFlags;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.errors.ShimException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** A Task service on the fake runc (real processes, reaped by the real reaper), for the scenario test classes. */
@Timeout(60)
abstract class FakeRuncServiceTestBase {
    static final Duration EVENT_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    FakeRunc runc;
    RecordingEvents events;
    RuncTaskService service;
    /** Exists: systemd counts as running for the SystemdCgroup option. */
    Path systemdDir;

    @BeforeEach
    void startService() throws IOException {
        runc = new FakeRunc(dir);
        events = new RecordingEvents();
        systemdDir = Files.createDirectories(dir.resolve("run-systemd-system"));
        service = newService(systemdDir);
    }

    RuncTaskService newService(Path systemdRuntimeDir) {
        ShimFlags flags = new ShimFlags("testns", "c1", "/run/test.sock", "", dir, false, Optional.empty(),
                ShimFlags.Action.SERVE);
        ShimContext.DaemonLifecycle lifecycle = new ShimContext.DaemonLifecycle() {
            @Override
            public void requestExit() {}

            @Override
            public long pid() {
                return 4321;
            }
        };
        Posix posix = Natives.posix();
        return new RuncTaskService(new ShimContext(flags, events, Natives.reaper(), lifecycle),
                new CommandRunner(Natives.reaper(), posix), new RootfsMounter(posix), new ProcessIoFactory(posix, Natives.stdioLoop()),
                "test-version", systemdRuntimeDir, testCgroups());
    }

    /**
     * An empty cgroup v2 hierarchy of this test: the service looks for container cgroups there, never in the host's
     * /sys/fs/cgroup (a fake container's process lives in the test JVM's cgroup, not one of its own).
     */
    CgroupLocator testCgroups() {
        try {
            Path root = Files.createDirectories(dir.resolve("cgroup"));
            Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
            return new CgroupLocator(CgroupMode.V2, root, Path.of("/proc"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Kills every fake container and exec process still alive. */
    @AfterEach
    void killLeftovers() throws IOException {
        Path states = runc.root().resolve("testns");
        if (!Files.isDirectory(states)) {
            return;
        }
        try (Stream<Path> ids = Files.list(states)) {
            for (Path state : ids.toList()) {
                List<String> pids = new ArrayList<>();
                for (String file : List.of("pid", "exec-pids")) {
                    if (Files.exists(state.resolve(file))) {
                        pids.addAll(Files.readAllLines(state.resolve(file)));
                    }
                }
                for (String pid : pids) {
                    try {
                        Natives.posix().kill(Integer.parseInt(pid.strip()), Posix.SIGKILL);
                    } catch (PosixException | NumberFormatException e) {
                        // already gone
                    }
                }
            }
        }
    }

    Path bundle(String id) throws IOException {
        Path bundle = Files.createDirectories(dir.resolve("bundles").resolve(id));
        Files.writeString(bundle.resolve("config.json"), "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}");
        return bundle;
    }

    CreateTaskRequest.Builder createRequest(String id) throws IOException {
        return createRequest(id, UnaryOperator.identity());
    }

    /** A Create for the fake runc; {@code options} adjusts the runc options. */
    CreateTaskRequest.Builder createRequest(String id, UnaryOperator<Options.Builder> options) throws IOException {
        Options o = options.apply(Options.newBuilder().setBinaryName(runc.binary().toString())
                .setRoot(runc.root().toString())).build();
        return CreateTaskRequest.newBuilder()
                .setId(id)
                .setBundle(bundle(id).toString())
                .setOptions(Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(o.toByteString()));
    }

    int create(String id, String command) throws Exception {
        runc.command(id, command);
        return service.create(createRequest(id).build()).getPid();
    }

    /** Creates and starts a container whose init runs {@code command}. */
    int run(String id, String command) throws Exception {
        create(id, command);
        return service.start(StartRequest.newBuilder().setId(id).build()).getPid();
    }

    StateResponse state(String id, String execId) {
        return service.state(StateRequest.newBuilder().setId(id).setExecId(execId).build());
    }

    WaitResponse waitFor(String id, String execId) throws Exception {
        return service.waitFor(WaitRequest.newBuilder().setId(id).setExecId(execId).build());
    }

    static void assertStatus(ErrorKind code, String message, Executable call) {
        ShimException e = assertThrows(ShimException.class, call);
        assertEquals(code, e.kind(), e.getMessage());
        assertEquals(message, e.getMessage());
    }

    /** For messages that quote parser details: only the code is asserted. */
    static void assertCode(ErrorKind code, Executable call) {
        ShimException e = assertThrows(ShimException.class, call);
        assertEquals(code, e.kind(), e.getMessage());
    }

    static CompletableFuture<byte[]> readAll(Path fifo) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = Files.newInputStream(fifo)) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
    }
}
