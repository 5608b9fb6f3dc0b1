package io.jrunc.shim;

import io.jrunc.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code containerd-shim-jrunc-v2 status [-json]}: the jrunc daemons of this host, from the files they keep
 * next to their sockets ({@link DaemonStateFile}, {@link DaemonStatusFile}) and from /proc: namespace, pid,
 * uptime, version, settings, the containers each serves, RSS, PSS and threads. It needs no containerd and
 * sends nothing to any daemon. A state file whose process is gone is listed as stale (a daemon killed with
 * SIGKILL leaves it until the next start of its group or a delete of one of its containers).
 */
final class StatusCommand {
    /** One daemon as the command sees it. */
    record DaemonView(Path socket, long pid, boolean alive, Optional<DaemonStatusFile.Status> status,
            OptionalLong rssKb, OptionalLong pssKb, OptionalLong threads, Optional<Duration> uptime) {}

    private final Path socketDir;

    StatusCommand(Path socketDir) {
        this.socketDir = socketDir;
    }

    /** Runs with the arguments after {@code status}; returns the exit code. */
    int run(List<String> args, PrintStream out) throws ShimUsageException, IOException {
        boolean json = false;
        for (String arg : args) {
            switch (arg) {
                case "-json", "--json" -> json = true;
                default -> throw new ShimUsageException("status: unknown argument \"" + arg + "\" (usage: status [-json])");
            }
        }
        List<DaemonView> daemons = daemons();
        out.print(json ? toJson(daemons) : toTable(daemons));
        out.flush();
        return 0;
    }

    /** Every daemon with a state file in the socket directory, by namespace then pid. */
    List<DaemonView> daemons() throws IOException {
        List<DaemonView> views = new ArrayList<>();
        if (!Files.isDirectory(socketDir)) {
            return views;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(socketDir, "*" + DaemonStateFile.SUFFIX)) {
            for (Path file : files) {
                DaemonStateFile stateFile = new DaemonStateFile(file);
                stateFile.read().ifPresent(state -> views.add(view(stateFile.socket(), state)));
            }
        }
        views.sort((a, b) -> {
            String na = a.status().map(DaemonStatusFile.Status::namespace).orElse("");
            String nb = b.status().map(DaemonStatusFile.Status::namespace).orElse("");
            return na.equals(nb) ? Long.compare(a.pid(), b.pid()) : na.compareTo(nb);
        });
        return views;
    }

    private static DaemonView view(Path socket, DaemonStateFile.State state) {
        boolean alive = state.alive();
        Optional<DaemonStatusFile.Status> status = DaemonStatusFile.of(socket).read().filter(s -> s.pid() == state.pid());
        if (!alive) {
            return new DaemonView(socket, state.pid(), false, status, OptionalLong.empty(), OptionalLong.empty(),
                    OptionalLong.empty(), Optional.empty());
        }
        Path proc = Path.of("/proc", Long.toString(state.pid()));
        Map<String, String> procStatus = fields(proc.resolve("status"));
        Map<String, String> rollup = fields(proc.resolve("smaps_rollup"));
        Optional<Duration> uptime = status.map(s -> Duration.ofMillis(Math.max(0, System.currentTimeMillis() - s.startedMillis())));
        return new DaemonView(socket, state.pid(), true, status, kilobytes(procStatus.get("VmRSS")),
                kilobytes(rollup.get("Pss")), number(procStatus.get("Threads")), uptime);
    }

    /** "Key:   value" lines of a /proc file; empty when it cannot be read (the process just exited). */
    private static Map<String, String> fields(Path file) {
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.putIfAbsent(line.substring(0, colon), line.substring(colon + 1).strip());
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return fields;
    }

    private static OptionalLong kilobytes(String value) {
        return value == null ? OptionalLong.empty() : number(value.replace("kB", "").strip());
    }

    private static OptionalLong number(String value) {
        try {
            return value == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static String toTable(List<DaemonView> daemons) {
        if (daemons.isEmpty()) {
            return "no jrunc daemon is running\n";
        }
        StringBuilder text = new StringBuilder();
        text.append(String.format("%-8s %-16s %-8s %-6s %-10s %9s %9s %7s  %s%n", "PID", "NAMESPACE", "UPTIME", "STATE",
                "CONTAINERS", "RSS", "PSS", "THREADS", "SETTINGS"));
        for (DaemonView d : daemons) {
            Optional<DaemonStatusFile.Status> s = d.status();
            String containers = s.map(st -> st.containers().size() + (st.maxContainers() > 0 ? "/" + st.maxContainers() : ""))
                    .orElse("?");
            String settings = s.map(st -> st.grouping() + (st.lingerMillis() > 0 ? " linger=" + human(Duration.ofMillis(st.lingerMillis())) : ""))
                    .orElse("?");
            text.append(String.format("%-8d %-16s %-8s %-6s %-10s %9s %9s %7s  %s%n", d.pid(),
                    s.map(DaemonStatusFile.Status::namespace).orElse("?"), d.uptime().map(StatusCommand::human).orElse("-"),
                    d.alive() ? "up" : "stale", containers, megabytes(d.rssKb()), megabytes(d.pssKb()),
                    d.threads().isPresent() ? Long.toString(d.threads().getAsLong()) : "-", settings));
            text.append("         version: ").append(s.map(DaemonStatusFile.Status::version).orElse("?")).append('\n');
            text.append("         socket: ").append(d.socket()).append('\n');
            s.ifPresent(st -> text.append("         containerd: ").append(st.containerdAddress()).append('\n'));
            s.filter(st -> !st.containers().isEmpty())
                    .ifPresent(st -> text.append("         containers: ").append(String.join(" ", st.containers())).append('\n'));
        }
        return text.toString();
    }

    static String toJson(List<DaemonView> daemons) {
        List<Object> list = new ArrayList<>();
        for (DaemonView d : daemons) {
            Map<String, Object> json = new LinkedHashMap<>();
            d.status().ifPresent(s -> json.putAll(s.toJson()));
            json.put("pid", d.pid());
            json.put("socket", d.socket().toString());
            json.put("alive", d.alive());
            d.uptime().ifPresent(u -> json.put("uptime_s", u.toSeconds()));
            d.rssKb().ifPresent(v -> json.put("rss_kb", v));
            d.pssKb().ifPresent(v -> json.put("pss_kb", v));
            d.threads().ifPresent(v -> json.put("threads", v));
            list.add(json);
        }
        return Json.write(Map.of("daemons", list)) + "\n";
    }

    private static String megabytes(OptionalLong kb) {
        return kb.isPresent() ? String.format("%.1fMB", kb.getAsLong() / 1024.0) : "-";
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h" + ((s % 3600) / 60) + "m";
        }
        return (s / 86400) + "d" + ((s % 86400) / 3600) + "h";
    }
}
