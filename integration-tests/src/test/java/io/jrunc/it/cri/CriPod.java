package io.jrunc.it.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jrunc.it.harness.FileTrees;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.proto.cri.v1.ContainerConfig;
import io.jrunc.proto.cri.v1.ContainerMetadata;
import io.jrunc.proto.cri.v1.ContainerStats;
import io.jrunc.proto.cri.v1.ContainerStatsRequest;
import io.jrunc.proto.cri.v1.ContainerStatus;
import io.jrunc.proto.cri.v1.ContainerStatusRequest;
import io.jrunc.proto.cri.v1.CreateContainerRequest;
import io.jrunc.proto.cri.v1.ExecRequest;
import io.jrunc.proto.cri.v1.ExecSyncRequest;
import io.jrunc.proto.cri.v1.ExecSyncResponse;
import io.jrunc.proto.cri.v1.ImageSpec;
import io.jrunc.proto.cri.v1.KeyValue;
import io.jrunc.proto.cri.v1.LinuxContainerConfig;
import io.jrunc.proto.cri.v1.LinuxContainerSecurityContext;
import io.jrunc.proto.cri.v1.LinuxPodSandboxConfig;
import io.jrunc.proto.cri.v1.LinuxSandboxSecurityContext;
import io.jrunc.proto.cri.v1.NamespaceMode;
import io.jrunc.proto.cri.v1.NamespaceOption;
import io.jrunc.proto.cri.v1.PodSandboxConfig;
import io.jrunc.proto.cri.v1.PodSandboxMetadata;
import io.jrunc.proto.cri.v1.PodSandboxStatus;
import io.jrunc.proto.cri.v1.PodSandboxStatusRequest;
import io.jrunc.proto.cri.v1.RemoveContainerRequest;
import io.jrunc.proto.cri.v1.RemovePodSandboxRequest;
import io.jrunc.proto.cri.v1.RunPodSandboxRequest;
import io.jrunc.proto.cri.v1.StartContainerRequest;
import io.jrunc.proto.cri.v1.StopContainerRequest;
import io.jrunc.proto.cri.v1.StopPodSandboxRequest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One Kubernetes pod run through CRI on one runtime handler, as the kubelet would: a sandbox on the host network
 * (no CNI) with its own pid namespace and a cgroup parent of its own, and containers from
 * {@link BusyboxImages#APP} with their own pid namespaces. {@link #close()} stops and removes the pod (a no-op
 * for what the test already did) and asserts with {@link CriLeftovers} that nothing stayed behind.
 */
final class CriPod implements AutoCloseable {
    static final Duration LEFTOVER_GRACE = Duration.ofSeconds(15);
    private static final int LOG_LINES_ON_FAILURE = 150;
    private static final int LOG_LINE_LIMIT = 400;
    /** The pod running now, for {@link CriLogOnFailure}. */
    private static volatile CriPod current;

    private final PrivateContainerd ctd;
    private final CriClient cri;
    private final CriHandler handler;
    private final PodSandboxConfig config;
    private final Path logDir;
    private final CriLeftovers leftovers;
    private final long logOffset;
    private final Set<String> ids = new LinkedHashSet<>();
    private String sandboxId;

    private CriPod(PrivateContainerd ctd, CriClient cri, CriHandler handler, PodSandboxConfig config, Path logDir,
            CriLeftovers leftovers) {
        this.ctd = ctd;
        this.cri = cri;
        this.handler = handler;
        this.config = config;
        this.logDir = logDir;
        this.leftovers = leftovers;
        this.logOffset = sizeOf(ctd.logFile());
    }

    /** RunPodSandbox with {@code handler}; the sandbox is READY when this returns. */
    static CriPod run(PrivateContainerd ctd, CriClient cri, CriHandler handler, String name) {
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String cgroupParent = "jrunc-cri-" + suffix;
        Path logDir = ctd.dir().resolve("pods").resolve(name + "-" + suffix);
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setUid("uid-" + suffix).setNamespace("jrunc-it"))
                .setLogDirectory(logDir.toString())
                .putLabels("io.jrunc.it/handler", handler.handlerName())
                .setLinux(LinuxPodSandboxConfig.newBuilder()
                        .setCgroupParent("/" + cgroupParent)
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                                .setNamespaceOptions(NamespaceOption.newBuilder()
                                        .setNetwork(NamespaceMode.NODE)
                                        .setPid(NamespaceMode.POD)
                                        .setIpc(NamespaceMode.POD))))
                .build();
        CriPod pod = new CriPod(ctd, cri, handler, config, logDir, CriLeftovers.snapshot(ctd, cgroupParent));
        current = pod;
        pod.sandboxId = cri.runtime().runPodSandbox(RunPodSandboxRequest.newBuilder()
                .setConfig(config).setRuntimeHandler(handler.handlerName()).build()).getPodSandboxId();
        pod.ids.add(pod.sandboxId);
        return pod;
    }

    static CriPod current() {
        return current;
    }

    CriHandler handler() {
        return handler;
    }

    String sandboxId() {
        return sandboxId;
    }

    PodSandboxConfig config() {
        return config;
    }

    PrivateContainerd containerd() {
        return ctd;
    }

    PodSandboxStatus status() {
        return cri.runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandboxId).build()).getStatus();
    }

    /** CreateContainer from the busybox image with {@code command} as its entrypoint; returns its id (CREATED). */
    String createContainer(String name, String... command) {
        ContainerConfig container = ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(BusyboxImages.APP))
                .addAllCommand(List.of(command))
                .addEnvs(KeyValue.newBuilder().setKey("JRUNC_IT_CONTAINER").setValue(name))
                .setLogPath(name + ".log")
                .setLinux(LinuxContainerConfig.newBuilder()
                        .setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                                .setNamespaceOptions(NamespaceOption.newBuilder()
                                        .setNetwork(NamespaceMode.NODE)
                                        .setPid(NamespaceMode.CONTAINER)
                                        .setIpc(NamespaceMode.POD))))
                .build();
        String id = cri.runtime().createContainer(CreateContainerRequest.newBuilder()
                .setPodSandboxId(sandboxId).setConfig(container).setSandboxConfig(config).build()).getContainerId();
        ids.add(id);
        return id;
    }

    /** StartContainer of a created container. */
    void start(String id) {
        cri.runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
    }

    /** CreateContainer then StartContainer; returns the id (RUNNING). */
    String startContainer(String name, String... command) {
        String id = createContainer(name, command);
        start(id);
        return id;
    }

    ContainerStatus containerStatus(String id) {
        return cri.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).build()).getStatus();
    }

    /** ContainerStatus with verbose info: containerd puts the init's "pid" (and the spec) in info["info"]. */
    long initPid(String id) {
        String info = cri.runtime().containerStatus(ContainerStatusRequest.newBuilder().setContainerId(id).setVerbose(true).build())
                .getInfoOrDefault("info", "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"pid\":\\s*(\\d+)").matcher(info);
        if (!m.find()) {
            throw new AssertionError("no pid in verbose ContainerStatus info of " + id + ": " + info);
        }
        return Long.parseLong(m.group(1));
    }

    ExecSyncResponse execSync(String id, String... cmd) {
        return cri.runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(id).addAllCmd(List.of(cmd)).setTimeout(30).build());
    }

    /** Exec (stdout and stderr, stdin only when {@code stdin} is not empty, no tty) run through its streaming URL. */
    ExecStream.Result execStream(String id, byte[] stdin, String... cmd) throws Exception {
        String url = cri.runtime().exec(ExecRequest.newBuilder().setContainerId(id).addAllCmd(List.of(cmd))
                .setStdin(stdin.length > 0).setStdout(true).setStderr(true).build()).getUrl();
        return ExecStream.run(url, stdin, Duration.ofSeconds(30));
    }

    void stopContainer(String id, long timeoutSeconds) {
        cri.runtime().stopContainer(StopContainerRequest.newBuilder().setContainerId(id).setTimeout(timeoutSeconds).build());
    }

    void removeContainer(String id) {
        cri.runtime().removeContainer(RemoveContainerRequest.newBuilder().setContainerId(id).build());
    }

    ContainerStats stats(String id) {
        return cri.runtime().containerStats(ContainerStatsRequest.newBuilder().setContainerId(id).build()).getStats();
    }

    void stopSandbox() {
        cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
    }

    void removeSandbox() {
        cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
    }

    /** The container's log file as CRI writes it (CRI log format: "time stream tag text" per line). */
    Path logFile(String containerName) {
        return logDir.resolve(containerName + ".log");
    }

    /** The sandbox and container ids this pod used, sandbox first. */
    List<String> ids() {
        return List.copyOf(ids);
    }

    /** containerd's log (shim logs included) since this pod began, for failure reports. */
    String containerdLogTail() {
        try (RandomAccessFile f = new RandomAccessFile(ctd.logFile().toFile(), "r")) {
            long from = Math.min(logOffset, f.length());
            byte[] bytes = new byte[(int) Math.min(f.length() - from, 4 << 20)];
            f.seek(from);
            f.readFully(bytes);
            // CRI logs whole OCI specs on one line; a few hundred characters say enough.
            // Netty's start-up chatter in the JAVA shim's debug log says nothing about a failure.
            List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.contains("logger=\"io.netty."))
                    .map(l -> l.length() > LOG_LINE_LIMIT ? l.substring(0, LOG_LINE_LIMIT) + " [...]" : l).toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_ON_FAILURE), lines.size()));
        } catch (IOException e) {
            return "(containerd log unreadable: " + e + ")";
        }
    }

    /** StopPodSandbox and RemovePodSandbox (both idempotent; a pod already removed is fine), then the leftover check. */
    @Override
    public void close() {
        RuntimeException failure = null;
        if (sandboxId != null) {
            try {
                stopSandbox();
                removeSandbox();
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    failure = new IllegalStateException("cannot remove " + handler + " pod " + sandboxId, e);
                }
            }
        }
        try {
            leftovers.assertNone(LEFTOVER_GRACE, ids.toArray(String[]::new));
        } catch (AssertionError e) {
            if (failure != null) {
                e.addSuppressed(failure);
            }
            throw e;
        } finally {
            FileTrees.deleteRecursively(logDir);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
