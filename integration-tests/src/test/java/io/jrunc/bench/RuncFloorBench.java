package io.jrunc.bench;

import io.jrunc.it.harness.Command;
import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The floor under both shims: {@code runc run} of /bin/true on the same busybox rootfs, no
 * containerd and no shim, with runc's default spec ({@code runc spec}, terminal off). Its own runc
 * root and bundle live in a scratch directory that is removed afterwards; container ids (and so
 * runc's default cgroup paths) carry that directory's unique name.
 */
final class RuncFloorBench implements Workload {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public String title() {
        return "runc floor: runc run /bin/true";
    }

    @Override
    public void run(BenchSession session, ResultTable table) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jrunc-bench-runc-");
        Path state = dir.resolve("state");
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        AtomicBoolean cleaned = new AtomicBoolean();
        Runnable cleanup = () -> {
            if (cleaned.compareAndSet(false, true)) {
                removeContainers(state);
                FileTrees.deleteRecursively(dir);
            }
        };
        session.onClose(cleanup);
        try {
            Command.run(RUN_TIMEOUT, List.of("runc", "spec", "--bundle", bundle.toString())).orThrow();
            Path config = bundle.resolve("config.json");
            Files.writeString(config, edit(Files.readString(config), session.rootfs().path()));
            Samples samples = new Samples();
            for (int i = -1; i < session.plan().floorRuns(); i++) {
                long t0 = System.nanoTime();
                CommandResult r = Command.run(RUN_TIMEOUT, List.of("runc", "--root", state.toString(), "run",
                        "--bundle", bundle.toString(), dir.getFileName() + "-" + (i + 1)));
                double ms = (System.nanoTime() - t0) / 1e6;
                if (!r.ok()) {
                    throw new IllegalStateException("runc run failed: " + r.describe());
                }
                if (i >= 0) {
                    samples.add(ms);
                }
            }
            table.reference(String.format(Locale.ROOT,
                    "runc floor, `runc run` of /bin/true on the same rootfs (no containerd, no shim): median %s ms (p90 %s), %d runs",
                    Measurement.format(samples.median()), Measurement.format(samples.percentile(0.90)), samples.count()));
            System.out.printf(Locale.ROOT, "  runc run: median %.1f ms%n", samples.median());
        } finally {
            cleanup.run();
        }
    }

    /** runc's default spec, made to run /bin/true without a terminal on {@code rootfs}. */
    static String edit(String spec, Path rootfs) {
        String out = replaceOnce(spec, "\"terminal\":\\s*true", "\"terminal\": false");
        out = replaceOnce(out, "\"args\":\\s*\\[\\s*\"sh\"\\s*\\]", "\"args\": [\"/bin/true\"]");
        return replaceOnce(out, "\"path\":\\s*\"rootfs\"", "\"path\": \"" + rootfs + "\"");
    }

    private static String replaceOnce(String text, String regex, String replacement) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("runc spec output changed, no match for " + regex);
        }
        return m.replaceFirst(Matcher.quoteReplacement(replacement));
    }

    private static void removeContainers(Path state) {
        if (!Files.isDirectory(state)) {
            return;
        }
        CommandResult list = Command.run(RUN_TIMEOUT, List.of("runc", "--root", state.toString(), "list", "-q"));
        for (String id : list.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
            Command.run(RUN_TIMEOUT, List.of("runc", "--root", state.toString(), "delete", "-f", id));
        }
    }
}
