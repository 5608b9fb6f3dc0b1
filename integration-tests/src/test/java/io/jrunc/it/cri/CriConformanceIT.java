package io.jrunc.it.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.Procs;
import io.jrunc.proto.cri.v1.ContainerStatus;
import io.jrunc.proto.cri.v1.ExecSyncResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential conformance through Kubernetes' CRI: one pod script run on the {@code runc} handler (Go shim, the
 * reference) and on {@code jrunc}, every observation a kubelet could make written down by name, and the two
 * records compared. Values that legitimately differ per run (ids, pids, timestamps, byte counts) are recorded
 * as facts about them (present, positive, equal to another value), never raw.
 */
@ParameterizedClass(name = "containerd {0}")
@MethodSource("io.jrunc.it.cri.CriScenarios#versions")
class CriConformanceIT extends CriScenarios {
    private static final Duration READY = Duration.ofSeconds(20);
    private static final String GRACEFUL = "trap 'exit 0' TERM; echo started; echo to-stderr >&2; sleep 1000 & wait";
    /** What the container's init looks like from inside: credentials, capabilities, seccomp, oom score, devices. */
    private static final String VIEW = "grep -E '^(Uid|Gid|CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/1/status;"
            + " echo oom=$(cat /proc/1/oom_score_adj); echo devs=$(ls /dev | tr '\\n' ' '); echo cwd=$(pwd)";

    /** {@code version} is the containerd release of this class invocation; CriScenarios starts it. */
    CriConformanceIT(String version) {
    }

    @Test
    void jruncAnswersCriLikeRunc() throws Exception {
        Map<CriHandler, Map<String, String>> seen = new EnumMap<>(CriHandler.class);
        for (CriHandler handler : CriHandler.values()) {
            StepTimer timer = new StepTimer();
            seen.put(handler, observe(handler, timer));
            System.out.println("CRI pod script on " + handler + ": " + timer + "\n  observed " + seen.get(handler));
        }

        Map<String, String> go = seen.get(CriHandler.RUNC);
        Map<String, String> java = seen.get(CriHandler.JRUNC);
        List<String> differences = new ArrayList<>();
        for (String key : new TreeSet<>(union(go.keySet(), java.keySet()))) {
            if (!String.valueOf(go.get(key)).equals(String.valueOf(java.get(key)))) {
                differences.add(key + ":\n    runc:  " + go.get(key) + "\n    jrunc: " + java.get(key));
            }
        }
        assertFalse(go.isEmpty());
        assertEquals(List.of(), differences, () -> "jrunc differs from runc:\n  " + String.join("\n  ", differences));
    }

    /** Runs the script on one handler; each step's outcome goes into the record under its own name. */
    private static Map<String, String> observe(CriHandler handler, StepTimer timer) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        try (CriPod pod = runPod(handler, "conformance")) {
            timer.lap("RunPodSandbox");
            o.put("sandbox.state", pod.status().getState().name());
            o.put("sandbox.handler-as-requested", Boolean.toString(pod.status().getRuntimeHandler().equals(handler.handlerName())));
            String app = pod.createContainer("app", "/bin/sh", "-c", GRACEFUL);
            o.put("app.created", pod.containerStatus(app).getState().name());
            timer.lap("CreateContainer");
            pod.start(app);
            o.put("app.started", pod.containerStatus(app).getState().name());
            timer.lap("StartContainer");
            String stubborn = pod.startContainer("stubborn", "/bin/sleep", "1000");
            Poll.require(READY, () -> criLog(pod, "app").size() >= 2, () -> "app's two log lines: " + criLog(pod, "app"));
            o.put("app.log", byStream(criLog(pod, "app")));

            timer.lap("second container");
            record("exec.sync.mixed", pod.execSync(app, "/bin/sh", "-c", "echo out; echo err >&2; exit 3"), o);
            timer.lap("ExecSync");
            record("exec.sync.view", pod.execSync(app, "/bin/sh", "-c", VIEW), o);
            timer.lap("ExecSync view");
            // containerd answers a failed exec start with a gRPC error that quotes runc's own message.
            o.put("exec.sync.missing-binary", grpcError(() -> pod.execSync(app, "/bin/no-such-program")));
            timer.lap("ExecSync of a missing binary");
            ExecStream.Result stream = pod.execStream(app, "line one\nline two\n".getBytes(StandardCharsets.UTF_8),
                    "/bin/sh", "-c", "head -n 2; echo bye >&2; exit 4");
            o.put("exec.stream", stream.protocol() + " exit=" + stream.exitCode() + " out=" + stream.stdout() + " err=" + stream.stderr());
            timer.lap("Exec stream with stdin");

            o.put("stats.sections", presentFields(pod.stats(app), "").toString());
            o.put("stats.cpu.positive", Boolean.toString(pod.stats(app).getCpu().getUsageCoreNanoSeconds().getValue() > 0));
            o.put("stats.memory.positive", Boolean.toString(pod.stats(app).getMemory().getWorkingSetBytes().getValue() > 0));

            long daemon = PodShim.daemonOf(containerd, pod.sandboxId());
            o.put("shim.daemons", Integer.toString(PodShim.daemonsOf(containerd).size()));
            Path socket = PodShim.socket(containerd, pod.sandboxId());
            o.put("shim.one-socket", Boolean.toString(List.of(app, stubborn).stream()
                    .allMatch(id -> PodShim.socket(containerd, id).equals(socket))));
            o.put("shim.parent-of-inits", Boolean.toString(List.of(app, stubborn).stream()
                    .allMatch(id -> Procs.stat(pod.initPid(id)).orElseThrow().ppid() == daemon)));
            timer.lap("stats and daemon checks");
            pod.stopContainer(app, 10);
            timer.lap("StopContainer (TERM honoured)");
            record("app.stopped", pod.containerStatus(app), o);
            pod.stopContainer(stubborn, 1);
            timer.lap("StopContainer (1 s, then KILL)");
            record("stubborn.stopped", pod.containerStatus(stubborn), o);
            o.put("app.log.after-stop", byStream(criLog(pod, "app")));
            pod.removeContainer(app);
            timer.lap("RemoveContainer");

            pod.stopSandbox();
            timer.lap("StopPodSandbox");
            o.put("sandbox.stopped", pod.status().getState().name());
            o.put("stubborn.after-sandbox-stop", pod.containerStatus(stubborn).getState().name());
            pod.removeSandbox();
            timer.lap("RemovePodSandbox");
        }
        timer.lap("leftover checks");
        return o;
    }

    /** Wall time per step of the script, for the report (not compared: JVM start-up makes jrunc's first steps slower). */
    private static final class StepTimer {
        private final Map<String, Duration> laps = new LinkedHashMap<>();
        private final long start = System.nanoTime();
        private long last = start;

        void lap(String step) {
            long now = System.nanoTime();
            laps.put(step, Duration.ofNanos(now - last));
            last = now;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("total " + Duration.ofNanos(last - start).toMillis() + " ms;");
            laps.forEach((step, d) -> b.append(' ').append(step).append(' ').append(d.toMillis()).append(" ms,"));
            return b.substring(0, b.length() - 1);
        }
    }

    private static void record(String key, ExecSyncResponse r, Map<String, String> o) {
        o.put(key, "exit=" + r.getExitCode() + " out=" + r.getStdout().toStringUtf8() + " err=" + r.getStderr().toStringUtf8());
    }

    private static void record(String key, ContainerStatus s, Map<String, String> o) {
        o.put(key, s.getState() + " exit=" + s.getExitCode() + " reason=" + s.getReason() + " message=" + s.getMessage()
                + " ordered=" + (s.getCreatedAt() > 0 && s.getStartedAt() >= s.getCreatedAt() && s.getFinishedAt() >= s.getStartedAt()));
    }

    /** The gRPC status a call fails with, container and exec ids masked; "no error" if it succeeds. */
    private static String grpcError(Runnable call) {
        try {
            call.run();
            return "no error";
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode() + ": " + String.valueOf(e.getStatus().getDescription()).replaceAll("[0-9a-f]{64}", "<id>");
        }
    }

    /** The container's CRI log lines without their timestamps: "stream tag text". */
    private static List<String> criLog(CriPod pod, String container) {
        try {
            if (!Files.exists(pod.logFile(container))) {
                return List.of();
            }
            return Files.readAllLines(pod.logFile(container)).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Log lines grouped by stream, each stream in its own order: stdout and stderr are separate pipes that CRI
     * copies concurrently, so how their lines interleave in the file is a race, not the shim's doing.
     */
    private static String byStream(List<String> lines) {
        Map<String, List<String>> streams = new java.util.TreeMap<>();
        for (String line : lines) {
            int space = line.indexOf(' ');
            streams.computeIfAbsent(space < 0 ? line : line.substring(0, space), k -> new ArrayList<>())
                    .add(space < 0 ? "" : line.substring(space + 1));
        }
        return streams.toString();
    }

    /** Paths of the message fields set in {@code m}, recursively: the sections a kubelet can rely on. */
    private static Set<String> presentFields(Message m, String prefix) {
        Set<String> paths = new TreeSet<>();
        for (Map.Entry<FieldDescriptor, Object> field : m.getAllFields().entrySet()) {
            FieldDescriptor d = field.getKey();
            if (d.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !d.isRepeated() && !d.isMapField()) {
                String path = prefix + d.getName();
                paths.add(path);
                paths.addAll(presentFields((Message) field.getValue(), path + "."));
            }
        }
        return paths;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
