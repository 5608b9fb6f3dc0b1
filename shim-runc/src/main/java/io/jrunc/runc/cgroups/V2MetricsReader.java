package io.jrunc.runc.cgroups;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.jrunc.proto.cgroups.v2.CPUStat;
import io.jrunc.proto.cgroups.v2.HugeTlbStat;
import io.jrunc.proto.cgroups.v2.IOEntry;
import io.jrunc.proto.cgroups.v2.IOStat;
import io.jrunc.proto.cgroups.v2.MemoryEvents;
import io.jrunc.proto.cgroups.v2.MemoryStat;
import io.jrunc.proto.cgroups.v2.Metrics;
import io.jrunc.proto.cgroups.v2.PidsStat;
import io.jrunc.proto.cgroups.v2.RdmaEntry;
import io.jrunc.proto.cgroups.v2.RdmaStat;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code io.containerd.cgroups.v2.Metrics} from a v2 cgroup directory, filled as containerd's cgroups library
 * fills it: pids, cpu, memory, io and rdma always present (zeros when a file is missing), memory_events when
 * {@code memory.events} exists, one hugetlb entry per page size.
 */
final class V2MetricsReader {
    /** Fields 1-31 of MemoryStat are named exactly like the memory.stat keys. */
    private static final int LAST_MEMORY_STAT_FIELD = 31;
    /** rdma "max": the largest uint32, as in Go. */
    private static final int RDMA_MAX = -1;

    Metrics read(Cgroup.V2 cgroup) throws IOException {
        Path dir = cgroup.dir();
        Metrics.Builder metrics = Metrics.newBuilder()
                .setPids(PidsStat.newBuilder()
                        .setCurrent(CgroupFiles.readUintOrMax(dir.resolve("pids.current")).orElse(0))
                        .setLimit(CgroupFiles.readUintOrMax(dir.resolve("pids.max")).orElse(0)))
                .setCpu(readCpu(dir))
                .setMemory(readMemory(dir))
                .setIo(readIo(dir))
                .setRdma(RdmaStat.newBuilder()
                        .addAllCurrent(readRdma(dir.resolve("rdma.current")))
                        .addAllLimit(readRdma(dir.resolve("rdma.max"))))
                .addAllHugetlb(readHugetlb(dir));
        readMemoryEvents(dir).ifPresent(metrics::setMemoryEvents);
        return metrics.build();
    }

    private static CPUStat readCpu(Path dir) throws IOException {
        Map<String, Long> stat = CgroupFiles.readKeyValues(dir.resolve("cpu.stat")).orElse(Map.of());
        return CPUStat.newBuilder()
                .setUsageUsec(stat.getOrDefault("usage_usec", 0L))
                .setUserUsec(stat.getOrDefault("user_usec", 0L))
                .setSystemUsec(stat.getOrDefault("system_usec", 0L))
                .setNrPeriods(stat.getOrDefault("nr_periods", 0L))
                .setNrThrottled(stat.getOrDefault("nr_throttled", 0L))
                .setThrottledUsec(stat.getOrDefault("throttled_usec", 0L))
                .build();
    }

    private static MemoryStat readMemory(Path dir) throws IOException {
        MemoryStat.Builder memory = MemoryStat.newBuilder();
        CgroupFiles.readKeyValues(dir.resolve("memory.stat")).orElse(Map.of()).forEach((key, value) -> {
            FieldDescriptor field = MemoryStat.getDescriptor().findFieldByName(key);
            if (field != null && field.getNumber() <= LAST_MEMORY_STAT_FIELD) {
                memory.setField(field, value);
            }
        });
        return memory
                .setUsage(CgroupFiles.readUintOrMax(dir.resolve("memory.current")).orElse(0))
                .setUsageLimit(CgroupFiles.readUintOrMax(dir.resolve("memory.max")).orElse(0))
                .setSwapUsage(CgroupFiles.readUintOrMax(dir.resolve("memory.swap.current")).orElse(0))
                .setSwapLimit(CgroupFiles.readUintOrMax(dir.resolve("memory.swap.max")).orElse(0))
                .setMaxUsage(CgroupFiles.readUintOrMax(dir.resolve("memory.peak")).orElse(0))
                .setSwapMaxUsage(CgroupFiles.readUintOrMax(dir.resolve("memory.swap.peak")).orElse(0))
                .build();
    }

    /** memory.events (low, high, max, oom, oom_kill); empty when the file is missing or says nothing. */
    static Optional<MemoryEvents> readMemoryEvents(Path dir) throws IOException {
        Optional<Map<String, Long>> events = CgroupFiles.readKeyValues(dir.resolve("memory.events"));
        if (events.isEmpty() || events.get().isEmpty()) {
            return Optional.empty();
        }
        Map<String, Long> e = events.get();
        return Optional.of(MemoryEvents.newBuilder()
                .setLow(e.getOrDefault("low", 0L))
                .setHigh(e.getOrDefault("high", 0L))
                .setMax(e.getOrDefault("max", 0L))
                .setOom(e.getOrDefault("oom", 0L))
                .setOomKill(e.getOrDefault("oom_kill", 0L))
                .build());
    }

    /** io.stat lines: "major:minor rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=..". */
    private static IOStat readIo(Path dir) throws IOException {
        IOStat.Builder io = IOStat.newBuilder();
        for (String line : CgroupFiles.read(dir.resolve("io.stat")).orElse("").split("\n")) {
            String[] parts = line.trim().split(" ");
            String[] device = parts[0].split(":");
            if (parts.length < 2 || device.length != 2) {
                continue;
            }
            IOEntry.Builder entry;
            try {
                entry = IOEntry.newBuilder().setMajor(CgroupFiles.parseUint(device[0])).setMinor(CgroupFiles.parseUint(device[1]));
            } catch (NumberFormatException e) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=");
                if (kv.length != 2) {
                    continue;
                }
                long value;
                try {
                    value = CgroupFiles.parseUint(kv[1]);
                } catch (NumberFormatException e) {
                    continue;
                }
                switch (kv[0]) {
                    case "rbytes" -> entry.setRbytes(value);
                    case "wbytes" -> entry.setWbytes(value);
                    case "rios" -> entry.setRios(value);
                    case "wios" -> entry.setWios(value);
                    default -> {}
                }
            }
            io.addUsage(entry);
        }
        return io.build();
    }

    /** rdma.current / rdma.max lines: "device hca_handle=N hca_object=M" ("max" = largest uint32). */
    private static List<RdmaEntry> readRdma(Path file) throws IOException {
        List<RdmaEntry> entries = new ArrayList<>();
        for (String line : CgroupFiles.read(file).orElse("").split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 3) {
                continue;
            }
            RdmaEntry.Builder entry = RdmaEntry.newBuilder().setDevice(parts[0]);
            for (int i = 1; i < 3; i++) {
                String[] kv = parts[i].split("=");
                if (kv.length != 2) {
                    continue;
                }
                int value;
                try {
                    value = kv[1].equals("max") ? RDMA_MAX : Integer.parseUnsignedInt(kv[1]);
                } catch (NumberFormatException e) {
                    continue;
                }
                switch (kv[0]) {
                    case "hca_handle" -> entry.setHcaHandles(value);
                    case "hca_object" -> entry.setHcaObjects(value);
                    default -> {}
                }
            }
            entries.add(entry.build());
        }
        return entries;
    }

    /** hugetlb.&lt;size&gt;.current and .max, one entry per size in name order. */
    private static List<HugeTlbStat> readHugetlb(Path dir) throws IOException {
        Map<String, HugeTlbStat.Builder> bySize = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "hugetlb.*")) {
            for (Path file : files) {
                String[] parts = file.getFileName().toString().split("\\.");
                if (parts.length != 3 || !(parts[2].equals("current") || parts[2].equals("max"))) {
                    continue;
                }
                var value = CgroupFiles.readUintOrMax(file);
                if (value.isEmpty()) {
                    continue;
                }
                HugeTlbStat.Builder stat = bySize.computeIfAbsent(parts[1], size -> HugeTlbStat.newBuilder().setPagesize(size));
                if (parts[2].equals("current")) {
                    stat.setCurrent(value.getAsLong());
                } else {
                    stat.setMax(value.getAsLong());
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return bySize.values().stream().map(HugeTlbStat.Builder::build).toList();
    }
}
