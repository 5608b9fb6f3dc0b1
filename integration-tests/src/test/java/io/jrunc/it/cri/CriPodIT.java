package io.jrunc.it.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.Procs;
import io.jrunc.proto.cri.v1.Container;
import io.jrunc.proto.cri.v1.ContainerFilter;
import io.jrunc.proto.cri.v1.ContainerState;
import io.jrunc.proto.cri.v1.ContainerStats;
import io.jrunc.proto.cri.v1.ContainerStatus;
import io.jrunc.proto.cri.v1.ExecSyncResponse;
import io.jrunc.proto.cri.v1.Image;
import io.jrunc.proto.cri.v1.ImageSpec;
import io.jrunc.proto.cri.v1.ImageStatusRequest;
import io.jrunc.proto.cri.v1.ListContainersRequest;
import io.jrunc.proto.cri.v1.ListImagesRequest;
import io.jrunc.proto.cri.v1.ListPodSandboxRequest;
import io.jrunc.proto.cri.v1.NamespaceMode;
import io.jrunc.proto.cri.v1.PodSandboxFilter;
import io.jrunc.proto.cri.v1.PodSandboxState;
import io.jrunc.proto.cri.v1.PodSandboxStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A Kubernetes pod's life through CRI on each runtime handler: RunPodSandbox, CreateContainer, StartContainer,
 * ExecSync, Exec over the streaming server, ContainerStats, StopContainer, RemoveContainer, StopPodSandbox,
 * RemovePodSandbox. RUNC (the Go shim) is the reference; every case must hold for JRUNC too.
 */
@ParameterizedClass(name = "containerd {0}")
@MethodSource("io.jrunc.it.cri.CriScenarios#versions")
class CriPodIT extends CriScenarios {
    private static final Duration READY = Duration.ofSeconds(20);
    /** Exits 0 on SIGTERM (sh is its pid namespace's init, so it needs the trap to see TERM at all). */
    private static final String GRACEFUL = "trap 'exit 0' TERM; echo started; sleep 1000 & wait";

    /** {@code version} is the containerd release of this class invocation; CriScenarios starts it. */
    CriPodIT(String version) {
    }

    /** The images imported with ctr (no registry) are what CRI's ImageService reports, by name and by id. */
    @Test
    void importedImagesAreVisibleThroughTheImageService() {
        for (OciImageLayout.PackedImage image : images) {
            Image status = cri.images().imageStatus(ImageStatusRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(image.name())).build()).getImage();
            assertEquals(image.configDigest(), status.getId(), status::toString);
            assertEquals(List.of(image.name()), status.getRepoTagsList(), status::toString);
            assertTrue(status.getSize() > 1_000_000, () -> "busybox alone is larger: " + status);
            Image byId = cri.images().imageStatus(ImageStatusRequest.newBuilder()
                    .setImage(ImageSpec.newBuilder().setImage(image.configDigest())).build()).getImage();
            assertEquals(image.configDigest(), byId.getId(), byId::toString);
        }
        List<String> listed = cri.images().listImages(ListImagesRequest.getDefaultInstance()).getImagesList().stream()
                .map(Image::getId).toList();
        assertTrue(listed.containsAll(images.stream().map(OciImageLayout.PackedImage::configDigest).toList()), listed::toString);
        assertFalse(cri.images().imageStatus(ImageStatusRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage("jrunc.test/never-imported:it")).build()).hasImage());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CriHandler.class)
    void podAndContainerLifecycle(CriHandler handler) throws Exception {
        try (CriPod pod = runPod(handler, "lifecycle")) {
            PodSandboxStatus sandbox = pod.status();
            assertEquals(PodSandboxState.SANDBOX_READY, sandbox.getState(), sandbox::toString);
            assertEquals(handler.handlerName(), sandbox.getRuntimeHandler(), sandbox::toString);
            assertEquals(NamespaceMode.NODE, sandbox.getLinux().getNamespaces().getOptions().getNetwork(), sandbox::toString);
            assertTrue(sandbox.getCreatedAt() > 0, sandbox::toString);

            String id = pod.createContainer("app", "/bin/sh", "-c", GRACEFUL);
            assertEquals(ContainerState.CONTAINER_CREATED, pod.containerStatus(id).getState());

            pod.start(id);
            ContainerStatus running = pod.containerStatus(id);
            assertEquals(ContainerState.CONTAINER_RUNNING, running.getState(), running::toString);
            assertTrue(running.getStartedAt() >= running.getCreatedAt() && running.getCreatedAt() > 0, running::toString);
            Poll.require(READY, () -> logText(pod, "app").contains(" stdout F started"),
                    () -> "'started' in the CRI log " + pod.logFile("app") + ": " + logText(pod, "app"));
            List<Container> listed = cri.runtime().listContainers(ListContainersRequest.newBuilder()
                    .setFilter(ContainerFilter.newBuilder().setPodSandboxId(pod.sandboxId())).build()).getContainersList();
            assertEquals(List.of(id), listed.stream().map(Container::getId).toList(), listed::toString);
            assertEquals(ContainerState.CONTAINER_RUNNING, listed.getFirst().getState());

            pod.stopContainer(id, 10);
            ContainerStatus exited = pod.containerStatus(id);
            assertEquals(ContainerState.CONTAINER_EXITED, exited.getState(), exited::toString);
            assertEquals(0, exited.getExitCode(), exited::toString);
            assertEquals("Completed", exited.getReason(), exited::toString);
            assertTrue(exited.getFinishedAt() >= exited.getStartedAt(), exited::toString);

            pod.removeContainer(id);
            assertNotFound(() -> pod.containerStatus(id));

            pod.stopSandbox();
            assertEquals(PodSandboxState.SANDBOX_NOTREADY, pod.status().getState());
            pod.removeSandbox();
            assertNotFound(pod::status);
            assertTrue(cri.runtime().listPodSandbox(ListPodSandboxRequest.newBuilder()
                    .setFilter(PodSandboxFilter.newBuilder().setId(pod.sandboxId())).build()).getItemsList().isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CriHandler.class)
    void stopContainerKillsWhatIgnoresTheStopSignal(CriHandler handler) {
        try (CriPod pod = runPod(handler, "stubborn")) {
            // A pid-namespace init without a TERM handler never sees TERM: only the SIGKILL after the timeout ends it.
            String id = pod.startContainer("stubborn", "/bin/sleep", "1000");
            long begin = System.nanoTime();

            pod.stopContainer(id, 1);

            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            ContainerStatus exited = pod.containerStatus(id);
            assertEquals(ContainerState.CONTAINER_EXITED, exited.getState(), exited::toString);
            assertEquals(137, exited.getExitCode(), exited::toString);
            assertEquals("Error", exited.getReason(), exited::toString);
            assertTrue(took.compareTo(Duration.ofMillis(900)) >= 0, () -> "StopContainer returned after " + took + ", before its 1 s timeout");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CriHandler.class)
    void execSyncReturnsOutputAndExitCode(CriHandler handler) {
        try (CriPod pod = runPod(handler, "execsync")) {
            String id = pod.startContainer("app", "/bin/sh", "-c", GRACEFUL);

            ExecSyncResponse mixed = pod.execSync(id, "/bin/sh", "-c", "echo out; echo err >&2; exit 3");
            ExecSyncResponse env = pod.execSync(id, "/bin/sh", "-c", "echo $JRUNC_IT_CONTAINER; cat /proc/1/cmdline | tr '\\0' ' '");
            ExecSyncResponse ok = pod.execSync(id, "/bin/true");

            assertEquals("out\n", mixed.getStdout().toStringUtf8(), mixed::toString);
            assertEquals("err\n", mixed.getStderr().toStringUtf8(), mixed::toString);
            assertEquals(3, mixed.getExitCode(), mixed::toString);
            assertEquals("app\n/bin/sh -c " + GRACEFUL + " ", env.getStdout().toStringUtf8(), env::toString);
            assertEquals(0, ok.getExitCode(), ok::toString);
            assertTrue(ok.getStdout().isEmpty() && ok.getStderr().isEmpty(), ok::toString);
        }
    }

    /**
     * An exec whose program does not exist fails in runc exec; CRI reports that as an error and then deletes the
     * exec. The Go shim answers within tens of milliseconds; a probe (exec liveness checks) must not stall.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(CriHandler.class)
    void execSyncOfAMissingProgramFailsPromptly(CriHandler handler) {
        try (CriPod pod = runPod(handler, "badexec")) {
            String id = pod.startContainer("app", "/bin/sh", "-c", GRACEFUL);
            long begin = System.nanoTime();

            StatusRuntimeException e = Assertions.assertThrows(StatusRuntimeException.class,
                    () -> pod.execSync(id, "/bin/no-such-program"));

            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            assertTrue(e.getStatus().getDescription().contains("no such file or directory"), e::toString);
            assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, () -> "a failed exec took " + took.toMillis() + " ms to report");
            assertEquals(0, pod.execSync(id, "/bin/true").getExitCode(), "the container still runs execs afterwards");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CriHandler.class)
    void execStreamsThroughTheStreamingServer(CriHandler handler) throws Exception {
        try (CriPod pod = runPod(handler, "exec")) {
            String id = pod.startContainer("app", "/bin/sh", "-c", GRACEFUL);

            ExecStream.Result out = pod.execStream(id, new byte[0], "/bin/sh", "-c", "echo out; echo err >&2; exit 5");
            ExecStream.Result echo = pod.execStream(id, "hello through stdin\n".getBytes(StandardCharsets.UTF_8), "/bin/head", "-n", "1");

            assertEquals(ExecStream.PROTOCOL, out.protocol());
            assertEquals("out\n", out.stdout(), out::toString);
            assertEquals("err\n", out.stderr(), out::toString);
            assertEquals(5, out.exitCode(), out::toString);
            assertEquals("hello through stdin\n", echo.stdout(), echo::toString);
            assertEquals(0, echo.exitCode(), echo::toString);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(CriHandler.class)
    void containerStatsReportCpuAndMemory(CriHandler handler) {
        try (CriPod pod = runPod(handler, "stats")) {
            String id = pod.startContainer("busy", "/bin/sh", "-c",
                    "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo done; " + GRACEFUL);
            Poll.require(READY, () -> logText(pod, "busy").contains(" stdout F done"), () -> "the busy loop to finish");

            ContainerStats stats = pod.stats(id);

            assertEquals(id, stats.getAttributes().getId(), stats::toString);
            assertEquals("busy", stats.getAttributes().getMetadata().getName(), stats::toString);
            assertTrue(stats.getCpu().getTimestamp() > 0, stats::toString);
            assertTrue(stats.getCpu().getUsageCoreNanoSeconds().getValue() > 0, () -> "cpu: " + stats.getCpu());
            assertTrue(stats.getMemory().getTimestamp() > 0, stats::toString);
            assertTrue(stats.getMemory().getWorkingSetBytes().getValue() > 0, () -> "memory: " + stats.getMemory());
        }
    }

    /**
     * CRI annotates every container with its sandbox id; a runc-style shim groups by it, so the pause container and
     * the app containers share one daemon: every bundle's shim address names the same socket, exactly one shim
     * daemon of this containerd is alive, it listens there, and it is the parent of every container's init.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(CriHandler.class)
    void oneShimDaemonServesTheWholePod(CriHandler handler) {
        try (CriPod pod = runPod(handler, "grouped")) {
            String first = pod.startContainer("first", "/bin/sh", "-c", GRACEFUL);
            String second = pod.startContainer("second", "/bin/sh", "-c", GRACEFUL);
            long daemon = PodShim.daemonOf(containerd, pod.sandboxId());

            Path socket = PodShim.socket(containerd, pod.sandboxId());
            for (String id : List.of(first, second)) {
                assertEquals(socket, PodShim.socket(containerd, id), () -> "shim address of " + id);
                assertEquals(List.of(daemon), PodShim.listeners(containerd, id), () -> "listener for " + id);
                long init = pod.initPid(id);
                assertEquals(daemon, Procs.stat(init).orElseThrow().ppid(), () -> "parent of " + id + "'s init " + init);
            }
            List<Procs.ProcInfo> daemons = PodShim.daemonsOf(containerd);
            assertEquals(List.of(daemon), daemons.stream().map(Procs.ProcInfo::pid).toList(), daemons::toString);
        }
    }

    private static String logText(CriPod pod, String container) {
        try {
            return Files.exists(pod.logFile(container)) ? Files.readString(pod.logFile(container)) : "";
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static void assertNotFound(Executable call) {
        StatusRuntimeException e = Assertions.assertThrows(StatusRuntimeException.class, call);
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), e::toString);
    }
}
