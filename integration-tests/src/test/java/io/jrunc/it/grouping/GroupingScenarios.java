package io.jrunc.it.grouping;

import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.ContainerdLogOnFailure;
import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the grouping scenarios share: a private containerd whose environment has {@code JRUNC_TRACE}
 * (the JAVA shim's launcher appends "start fast ...", "start jvm ...", "delete fast ...", "delete
 * jvm ..." there, so a test sees which path each action took) plus whatever {@link #containerdEnv}
 * adds, a busybox rootfs, and helpers to run containers with grouping annotations.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(ContainerdLogOnFailure.class)
abstract class GroupingScenarios {
    static PrivateContainerd containerd;
    static BusyboxRootfs rootfs;
    static Path trace;

    @BeforeAll
    static void startContainerd() throws IOException {
        startContainerd(Map.of());
    }

    static void startContainerd(Map<String, String> env) throws IOException {
        rootfs = BusyboxRootfs.create();
        trace = Files.createTempFile("jrunc-it-trace-", ".log");
        Map<String, String> all = new HashMap<>(env);
        all.put("JRUNC_TRACE", trace.toString());
        containerd = PrivateContainerd.start(all);
    }

    @AfterAll
    static void stopContainerd() throws IOException {
        if (containerd != null) {
            containerd.close();
            containerd = null;
        }
        if (rootfs != null) {
            rootfs.close();
            rootfs = null;
        }
        Files.deleteIfExists(trace);
    }

    static ShimScenario begin() {
        return ShimScenario.begin(containerd, rootfs, ShimUnderTest.JAVA);
    }

    /**
     * {@code ctr run -d --null-io} with exactly {@code annotations} ("key=value"; not those of
     * {@code -Djrunc.it.grouping}, which the lifecycle scenarios use); returns the task's pid.
     */
    static long runDetached(ShimScenario s, String id, List<String> annotations, String... command) {
        List<String> args = new ArrayList<>(List.of("run", "-d", "--null-io"));
        for (String a : annotations) {
            args.addAll(List.of("--annotation", a));
        }
        args.addAll(List.of("--runtime", ShimUnderTest.JAVA.runtime(), "--rootfs", rootfs.path().toString(), id));
        args.addAll(List.of(command));
        s.own(id);
        s.ctr().ok(args.toArray(String[]::new));
        Ctr.TaskRow row = s.ctr().task(id).orElseThrow(() -> new AssertionError("ctr task ls does not show " + id));
        if (!row.status().equals("RUNNING")) {
            throw new AssertionError("task " + id + " not RUNNING: " + row);
        }
        return row.pid();
    }

    /** The launcher's trace lines about {@code namespace}, "<action> <path>" only (the rest of each line dropped). */
    static List<String> traced(String namespace) {
        try {
            return Files.readAllLines(trace).stream()
                    .filter(l -> l.contains(" " + namespace + "/"))
                    .map(l -> {
                        String[] w = l.split(" ");
                        return w[0] + " " + w[1] + " " + w[2].substring(namespace.length() + 1);
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JAVA shim daemons serving {@code namespace} of our containerd (command line without start/delete). */
    static List<Long> daemonsOf(String namespace) {
        return Procs.all().stream().filter(p -> {
            List<String> args = Arrays.asList(p.cmdline().split(" "));
            int ns = args.indexOf("-namespace");
            int address = args.indexOf("-address");
            return ns >= 0 && ns + 1 < args.size() && args.get(ns + 1).equals(namespace)
                    && address >= 0 && address + 1 < args.size() && args.get(address + 1).equals(containerd.grpcSocket().toString())
                    && args.contains("io.jrunc.launcher.Main")
                    && !args.contains("start") && !args.contains("delete");
        }).map(Procs.ProcInfo::pid).toList();
    }
}
