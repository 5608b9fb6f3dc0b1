package io.jrunc.runc.cgroups;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.proto.cgroups.v1.BlkIOEntry;
import io.jrunc.proto.cgroups.v1.HugetlbStat;
import io.jrunc.proto.cgroups.v1.MemoryStat;
import io.jrunc.proto.cgroups.v1.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class V1MetricsReaderTest {
    private static final long UNLIMITED = 9223372036854771712L;

    @TempDir
    Path dir;

    private FakeCgroupTree tree;

    @BeforeEach
    void setUp() {
        tree = new FakeCgroupTree(dir);
        tree.v1Container();
        tree.procCgroup(42, FakeCgroupTree.V1_PROC_CGROUP);
    }

    private Metrics read() throws IOException {
        return new V1MetricsReader(tree.proc).read((Cgroup.V1) tree.locator(CgroupMode.V1).locate(42));
    }

    @Test
    void pidsCurrentAndUnlimitedMaxAsZero() throws IOException {
        Metrics m = read();
        assertEquals(3, m.getPids().getCurrent());
        assertEquals(0, m.getPids().getLimit());

        tree.file("pids/ns/c1/pids.max", "128\n");
        assertEquals(128, read().getPids().getLimit());
    }

    @Test
    void cpuUsageInNanosecondsFromCpuacct() throws IOException {
        Metrics m = read();
        assertEquals(9597743, m.getCpu().getUsage().getTotal());
        assertEquals(120_000_000L, m.getCpu().getUsage().getUser(), "12 ticks of 10 ms");
        assertEquals(30_000_000L, m.getCpu().getUsage().getKernel(), "3 ticks of 10 ms");
        assertEquals(List.of(4606109L, 4991634L), m.getCpu().getUsage().getPerCpuList());
        assertEquals(10, m.getCpu().getThrottling().getPeriods());
        assertEquals(2, m.getCpu().getThrottling().getThrottledPeriods());
        assertEquals(123456, m.getCpu().getThrottling().getThrottledTime());
    }

    @Test
    void memoryStatFieldsWithTheirContainerdNames() throws IOException {
        MemoryStat mem = read().getMemory();
        assertEquals(4096, mem.getCache());
        assertEquals(53248, mem.getRss());
        assertEquals(4096, mem.getDirty());
        assertEquals(368, mem.getPgPgIn());
        assertEquals(354, mem.getPgPgOut());
        assertEquals(634, mem.getPgFault());
        assertEquals(1, mem.getPgMajFault());
        assertEquals(8192, mem.getInactiveFile());
        assertEquals(33554432, mem.getHierarchicalMemoryLimit());
        assertEquals(UNLIMITED, mem.getHierarchicalSwapLimit());
        // What CRI reads.
        assertEquals(53248, mem.getTotalRss());
        assertEquals(8192, mem.getTotalInactiveFile());
        assertEquals(634, mem.getTotalPgFault());
        assertEquals(1, mem.getTotalPgMajFault());
        assertEquals(4096, mem.getTotalCache());
    }

    @Test
    void memoryUsageSwapKernelAndTcpEntries() throws IOException {
        MemoryStat mem = read().getMemory();
        assertEquals(475136, mem.getUsage().getUsage());
        assertEquals(2248704, mem.getUsage().getMax());
        assertEquals(33554432, mem.getUsage().getLimit());
        assertEquals(475136, mem.getSwap().getUsage());
        assertEquals(UNLIMITED, mem.getSwap().getLimit());
        assertEquals(233472, mem.getKernel().getUsage());
        assertEquals(540672, mem.getKernel().getMax());
        assertTrue(mem.hasKernelTcp());
        assertEquals(UNLIMITED, mem.getKernelTcp().getLimit());
    }

    @Test
    void oomControlCounters() throws IOException {
        Metrics m = read();
        assertEquals(2, m.getMemoryOomControl().getOomKill());
        assertEquals(0, m.getMemoryOomControl().getUnderOom());
    }

    @Test
    void blkioFallsBackToThrottleFilesWithDeviceNames() throws IOException {
        List<BlkIOEntry> serviced = read().getBlkio().getIoServicedRecursiveList();
        assertEquals(6, serviced.size(), serviced::toString);
        BlkIOEntry first = serviced.get(0);
        assertEquals("/dev/sda", first.getDevice());
        assertEquals(8, first.getMajor());
        assertEquals(0, first.getMinor());
        assertEquals("Read", first.getOp());
        assertEquals(10, first.getValue());
        assertEquals(16384, read().getBlkio().getIoServiceBytesRecursive(1).getValue());
    }

    @Test
    void blkioRecursiveFilesWinWhenTheyHaveEntries() throws IOException {
        tree.file("blkio/ns/c1/blkio.io_serviced_recursive", "8:1 Read 5\nTotal 5\n");
        tree.file("blkio/ns/c1/blkio.sectors_recursive", "8:1 80\n");

        Metrics m = read();

        assertEquals(List.of(BlkIOEntry.newBuilder().setDevice("/dev/sda1").setMajor(8).setMinor(1).setOp("Read").setValue(5).build()),
                m.getBlkio().getIoServicedRecursiveList());
        assertEquals(80, m.getBlkio().getSectorsRecursive(0).getValue());
        assertEquals("", m.getBlkio().getSectorsRecursive(0).getOp());
        assertEquals(0, m.getBlkio().getIoServiceBytesRecursiveCount(), "no throttle data mixed in");
    }

    @Test
    void hugetlbPerPageSizeWithoutReservations() throws IOException {
        List<HugetlbStat> hugetlb = read().getHugetlbList();
        assertEquals(List.of("1GB", "2MB"), hugetlb.stream().map(HugetlbStat::getPagesize).toList());
        assertEquals(2097152, hugetlb.get(1).getUsage());
        assertEquals(4194304, hugetlb.get(1).getMax());
        assertEquals(1, hugetlb.get(1).getFailcnt());
    }

    @Test
    void missingFilesLeaveZerosAndMissingControllersLeaveSectionsOut() throws IOException {
        Files.delete(tree.root.resolve("memory/ns/c1/memory.memsw.usage_in_bytes")); // swap accounting off
        tree.procCgroup(43, "4:memory:/ns/c1\n0::/ns/c1\n");

        Metrics m = new V1MetricsReader(tree.proc).read((Cgroup.V1) tree.locator(CgroupMode.V1).locate(43));

        assertFalse(m.hasPids());
        assertFalse(m.hasBlkio());
        assertEquals(0, m.getHugetlbCount());
        assertTrue(m.hasCpu(), "cpu is always sent, as by Go");
        assertTrue(m.getCpu().hasUsage() && m.getCpu().hasThrottling());
        assertEquals(0, m.getMemory().getSwap().getUsage());
        assertEquals(UNLIMITED, m.getMemory().getSwap().getLimit(), "the other memsw files are still read");
        assertEquals(475136, m.getMemory().getUsage().getUsage());
    }

    @Test
    void negativeValuesReadAsZeroAndGarbageFails() throws IOException {
        tree.file("memory/ns/c1/memory.limit_in_bytes", "-1\n");
        assertEquals(0, read().getMemory().getUsage().getLimit());

        tree.file("memory/ns/c1/memory.limit_in_bytes", "lots\n");
        IOException e = assertThrows(IOException.class, this::read);
        assertTrue(e.getMessage().contains("memory.limit_in_bytes"), e.getMessage());
    }
}
