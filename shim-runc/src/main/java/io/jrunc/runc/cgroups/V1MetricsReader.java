package io.jrunc.runc.cgroups;

import io.jrunc.proto.cgroups.v1.BlkIOEntry;
import io.jrunc.proto.cgroups.v1.BlkIOStat;
import io.jrunc.proto.cgroups.v1.CPUStat;
import io.jrunc.proto.cgroups.v1.CPUUsage;
import io.jrunc.proto.cgroups.v1.HugetlbStat;
import io.jrunc.proto.cgroups.v1.MemoryEntry;
import io.jrunc.proto.cgroups.v1.MemoryOomControl;
import io.jrunc.proto.cgroups.v1.MemoryStat;
import io.jrunc.proto.cgroups.v1.Metrics;
import io.jrunc.proto.cgroups.v1.PidsStat;
import io.jrunc.proto.cgroups.v1.Throttle;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * {@code io.containerd.cgroups.v1.Metrics} from a v1 cgroup, filled as containerd's cgroups library fills it:
 * pids, cpuacct + cpu (always present), memory, memory.oom_control, blkio, hugetlb. A controller that is not
 * there leaves its section out; a file that is not there leaves its fields at 0.
 */
final class V1MetricsReader {
    /** USER_HZ: cpuacct.stat counts in these ticks on every Linux architecture containerd supports. */
    static final long CLOCK_TICKS = 100;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final Map<String, BiConsumer<MemoryStat.Builder, Long>> MEMORY_STAT = memoryStatFields();

    private final Path proc;

    /** @param proc where {@code partitions} names block devices (normally /proc) */
    V1MetricsReader(Path proc) {
        this.proc = proc;
    }

    Metrics read(Cgroup.V1 cgroup) throws IOException {
        Metrics.Builder metrics = Metrics.newBuilder();
        Optional<Path> pids = cgroup.dir("pids");
        if (pids.isPresent()) {
            readPids(pids.get()).ifPresent(metrics::setPids);
        }
        // Go always sends cpu with both parts, even without the controllers.
        Optional<Path> cpuacct = cgroup.dir("cpuacct");
        Optional<Path> cpu = cgroup.dir("cpu");
        metrics.setCpu(CPUStat.newBuilder()
                .setUsage(cpuacct.isPresent() ? readCpuUsage(cpuacct.get()) : CPUUsage.getDefaultInstance())
                .setThrottling(cpu.isPresent() ? readThrottling(cpu.get()) : Throttle.getDefaultInstance()));
        Optional<Path> memory = cgroup.dir("memory");
        if (memory.isPresent()) {
            readMemory(memory.get()).ifPresent(metrics::setMemory);
            readOomControl(memory.get()).ifPresent(metrics::setMemoryOomControl);
        }
        Optional<Path> blkio = cgroup.dir("blkio");
        if (blkio.isPresent()) {
            metrics.setBlkio(readBlkio(blkio.get()));
        }
        Optional<Path> hugetlb = cgroup.dir("hugetlb");
        if (hugetlb.isPresent()) {
            metrics.addAllHugetlb(readHugetlb(hugetlb.get()));
        }
        return metrics.build();
    }

    /** pids.current and pids.max ("max" is reported as limit 0, as in Go). */
    private static Optional<PidsStat> readPids(Path dir) throws IOException {
        OptionalLong current = CgroupFiles.readUint(dir.resolve("pids.current"));
        OptionalLong limit = CgroupFiles.readUint(dir.resolve("pids.max"), OptionalLong.of(0));
        if (current.isEmpty() || limit.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(PidsStat.newBuilder().setCurrent(current.getAsLong()).setLimit(limit.getAsLong()).build());
    }

    /** Nanoseconds: cpuacct.usage (total), cpuacct.stat (user, system in ticks), cpuacct.usage_percpu. */
    private static CPUUsage readCpuUsage(Path dir) throws IOException {
        CPUUsage.Builder usage = CPUUsage.newBuilder();
        CgroupFiles.readUint(dir.resolve("cpuacct.usage")).ifPresent(usage::setTotal);
        Optional<Map<String, Long>> stat = CgroupFiles.readKeyValues(dir.resolve("cpuacct.stat"));
        if (stat.isPresent()) {
            usage.setUser(ticksToNanos(stat.get().getOrDefault("user", 0L)));
            usage.setKernel(ticksToNanos(stat.get().getOrDefault("system", 0L)));
        }
        Optional<String> perCpu = CgroupFiles.read(dir.resolve("cpuacct.usage_percpu"));
        if (perCpu.isPresent()) {
            for (String value : perCpu.get().trim().split("\\s+")) {
                if (!value.isEmpty()) {
                    usage.addPerCpu(parse(value, dir.resolve("cpuacct.usage_percpu")));
                }
            }
        }
        return usage.build();
    }

    private static long ticksToNanos(long ticks) {
        return Long.divideUnsigned(ticks * NANOS_PER_SECOND, CLOCK_TICKS);
    }

    /** cpu.stat: nr_periods, nr_throttled, throttled_time (ns). */
    private static Throttle readThrottling(Path dir) throws IOException {
        Throttle.Builder throttle = Throttle.newBuilder();
        CgroupFiles.readKeyValues(dir.resolve("cpu.stat")).ifPresent(stat -> {
            throttle.setPeriods(stat.getOrDefault("nr_periods", 0L));
            throttle.setThrottledPeriods(stat.getOrDefault("nr_throttled", 0L));
            throttle.setThrottledTime(stat.getOrDefault("throttled_time", 0L));
        });
        return throttle.build();
    }

    /** memory.stat plus the usage/max/failcnt/limit quadruples of memory, memsw, kmem and kmem.tcp. */
    private static Optional<MemoryStat> readMemory(Path dir) throws IOException {
        Optional<Map<String, Long>> stat = CgroupFiles.readKeyValues(dir.resolve("memory.stat"));
        if (stat.isEmpty()) {
            return Optional.empty();
        }
        MemoryStat.Builder memory = MemoryStat.newBuilder();
        stat.get().forEach((key, value) -> {
            BiConsumer<MemoryStat.Builder, Long> setter = MEMORY_STAT.get(key);
            if (setter != null) {
                setter.accept(memory, value);
            }
        });
        memory.setUsage(readMemoryEntry(dir, "memory."));
        memory.setSwap(readMemoryEntry(dir, "memory.memsw."));
        memory.setKernel(readMemoryEntry(dir, "memory.kmem."));
        memory.setKernelTcp(readMemoryEntry(dir, "memory.kmem.tcp."));
        return Optional.of(memory.build());
    }

    private static MemoryEntry readMemoryEntry(Path dir, String prefix) throws IOException {
        MemoryEntry.Builder entry = MemoryEntry.newBuilder();
        CgroupFiles.readUint(dir.resolve(prefix + "usage_in_bytes")).ifPresent(entry::setUsage);
        CgroupFiles.readUint(dir.resolve(prefix + "max_usage_in_bytes")).ifPresent(entry::setMax);
        CgroupFiles.readUint(dir.resolve(prefix + "failcnt")).ifPresent(entry::setFailcnt);
        CgroupFiles.readUint(dir.resolve(prefix + "limit_in_bytes")).ifPresent(entry::setLimit);
        return entry.build();
    }

    private static Optional<MemoryOomControl> readOomControl(Path dir) throws IOException {
        return CgroupFiles.readKeyValues(dir.resolve("memory.oom_control")).map(values -> MemoryOomControl.newBuilder()
                .setOomKillDisable(values.getOrDefault("oom_kill_disable", 0L))
                .setUnderOom(values.getOrDefault("under_oom", 0L))
                .setOomKill(values.getOrDefault("oom_kill", 0L))
                .build());
    }

    /**
     * The CFQ/BFQ-era recursive files when the kernel has them and they say something, else the throttle
     * files (what every kernel has), as in Go.
     */
    private BlkIOStat readBlkio(Path dir) throws IOException {
        Map<String, String> devices = devices();
        BlkIOStat.Builder blkio = BlkIOStat.newBuilder();
        if (Files.exists(dir.resolve("blkio.io_serviced_recursive"))) {
            int found = 0;
            found += readBlkioEntries(dir, "sectors_recursive", devices, blkio::addSectorsRecursive);
            found += readBlkioEntries(dir, "io_service_bytes_recursive", devices, blkio::addIoServiceBytesRecursive);
            found += readBlkioEntries(dir, "io_serviced_recursive", devices, blkio::addIoServicedRecursive);
            found += readBlkioEntries(dir, "io_queued_recursive", devices, blkio::addIoQueuedRecursive);
            found += readBlkioEntries(dir, "io_service_time_recursive", devices, blkio::addIoServiceTimeRecursive);
            found += readBlkioEntries(dir, "io_wait_time_recursive", devices, blkio::addIoWaitTimeRecursive);
            found += readBlkioEntries(dir, "io_merged_recursive", devices, blkio::addIoMergedRecursive);
            found += readBlkioEntries(dir, "time_recursive", devices, blkio::addIoTimeRecursive);
            if (found > 0) {
                return blkio.build();
            }
            blkio.clear();
        }
        readBlkioEntries(dir, "throttle.io_serviced", devices, blkio::addIoServicedRecursive);
        readBlkioEntries(dir, "throttle.io_service_bytes", devices, blkio::addIoServiceBytesRecursive);
        return blkio.build();
    }

    /** Lines "major:minor [op] value"; the "Total n" line is skipped. Returns how many entries were added. */
    private static int readBlkioEntries(Path dir, String name, Map<String, String> devices, Consumer<BlkIOEntry> add)
            throws IOException {
        Path file = dir.resolve("blkio." + name);
        Optional<String> text = CgroupFiles.read(file);
        if (text.isEmpty()) {
            return 0;
        }
        int added = 0;
        for (String line : text.get().split("\n")) {
            String[] fields = line.trim().split("[ :]+");
            if (line.isBlank() || (fields.length == 2 && fields[0].equals("Total"))) {
                continue;
            }
            if (fields.length < 3) {
                throw new IOException("invalid line in " + file + ": \"" + line + "\"");
            }
            String op = fields.length >= 4 ? fields[2] : "";
            long major = parse(fields[0], file);
            long minor = parse(fields[1], file);
            add.accept(BlkIOEntry.newBuilder()
                    .setDevice(devices.getOrDefault(major + ":" + minor, ""))
                    .setMajor(major)
                    .setMinor(minor)
                    .setOp(op)
                    .setValue(parse(fields[fields.length >= 4 ? 3 : 2], file))
                    .build());
            added++;
        }
        return added;
    }

    /** "major:minor" to /dev/name from {@code partitions} (two header lines, then "major minor blocks name"). */
    private Map<String, String> devices() throws IOException {
        Map<String, String> devices = new HashMap<>();
        Optional<String> partitions = CgroupFiles.read(proc.resolve("partitions"));
        if (partitions.isEmpty()) {
            return devices;
        }
        List<String> lines = partitions.get().lines().toList();
        for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 4) {
                devices.putIfAbsent(fields[0] + ":" + fields[1], "/dev/" + fields[3]);
            }
        }
        return devices;
    }

    /** One entry per page size with a {@code hugetlb.<size>.usage_in_bytes} file, sizes in name order. */
    private static List<HugetlbStat> readHugetlb(Path dir) throws IOException {
        List<String> sizes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "hugetlb.*.usage_in_bytes")) {
            for (Path file : files) {
                String[] parts = file.getFileName().toString().split("\\.");
                if (parts.length == 3) { // not hugetlb.<size>.rsvd.usage_in_bytes
                    sizes.add(parts[1]);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        sizes.sort(null);
        List<HugetlbStat> stats = new ArrayList<>();
        for (String size : sizes) {
            HugetlbStat.Builder stat = HugetlbStat.newBuilder().setPagesize(size);
            CgroupFiles.readUint(dir.resolve("hugetlb." + size + ".usage_in_bytes")).ifPresent(stat::setUsage);
            CgroupFiles.readUint(dir.resolve("hugetlb." + size + ".max_usage_in_bytes")).ifPresent(stat::setMax);
            CgroupFiles.readUint(dir.resolve("hugetlb." + size + ".failcnt")).ifPresent(stat::setFailcnt);
            stats.add(stat.build());
        }
        return stats;
    }

    private static long parse(String value, Path file) throws IOException {
        try {
            return CgroupFiles.parseUint(value);
        } catch (NumberFormatException e) {
            throw new IOException("cannot parse \"" + value + "\" in " + file + " as an unsigned number");
        }
    }

    /** memory.stat key to MemoryStat field; the kernel says pgpgin where containerd says pg_pg_in. */
    private static Map<String, BiConsumer<MemoryStat.Builder, Long>> memoryStatFields() {
        Map<String, BiConsumer<MemoryStat.Builder, Long>> f = new HashMap<>();
        f.put("cache", MemoryStat.Builder::setCache);
        f.put("rss", MemoryStat.Builder::setRss);
        f.put("rss_huge", MemoryStat.Builder::setRssHuge);
        f.put("mapped_file", MemoryStat.Builder::setMappedFile);
        f.put("dirty", MemoryStat.Builder::setDirty);
        f.put("writeback", MemoryStat.Builder::setWriteback);
        f.put("pgpgin", MemoryStat.Builder::setPgPgIn);
        f.put("pgpgout", MemoryStat.Builder::setPgPgOut);
        f.put("pgfault", MemoryStat.Builder::setPgFault);
        f.put("pgmajfault", MemoryStat.Builder::setPgMajFault);
        f.put("inactive_anon", MemoryStat.Builder::setInactiveAnon);
        f.put("active_anon", MemoryStat.Builder::setActiveAnon);
        f.put("inactive_file", MemoryStat.Builder::setInactiveFile);
        f.put("active_file", MemoryStat.Builder::setActiveFile);
        f.put("unevictable", MemoryStat.Builder::setUnevictable);
        f.put("hierarchical_memory_limit", MemoryStat.Builder::setHierarchicalMemoryLimit);
        f.put("hierarchical_memsw_limit", MemoryStat.Builder::setHierarchicalSwapLimit);
        f.put("total_cache", MemoryStat.Builder::setTotalCache);
        f.put("total_rss", MemoryStat.Builder::setTotalRss);
        f.put("total_rss_huge", MemoryStat.Builder::setTotalRssHuge);
        f.put("total_mapped_file", MemoryStat.Builder::setTotalMappedFile);
        f.put("total_dirty", MemoryStat.Builder::setTotalDirty);
        f.put("total_writeback", MemoryStat.Builder::setTotalWriteback);
        f.put("total_pgpgin", MemoryStat.Builder::setTotalPgPgIn);
        f.put("total_pgpgout", MemoryStat.Builder::setTotalPgPgOut);
        f.put("total_pgfault", MemoryStat.Builder::setTotalPgFault);
        f.put("total_pgmajfault", MemoryStat.Builder::setTotalPgMajFault);
        f.put("total_inactive_anon", MemoryStat.Builder::setTotalInactiveAnon);
        f.put("total_active_anon", MemoryStat.Builder::setTotalActiveAnon);
        f.put("total_inactive_file", MemoryStat.Builder::setTotalInactiveFile);
        f.put("total_active_file", MemoryStat.Builder::setTotalActiveFile);
        f.put("total_unevictable", MemoryStat.Builder::setTotalUnevictable);
        return Map.copyOf(f);
    }
}
