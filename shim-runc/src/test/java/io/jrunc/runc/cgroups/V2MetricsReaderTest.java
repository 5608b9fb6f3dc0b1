package io.jrunc.runc.cgroups;

import static org.junit.jupiter.api.Assertions.*;

import io.jrunc.proto.cgroups.v2.IOEntry;
import io.jrunc.proto.cgroups.v2.MemoryStat;
import io.jrunc.proto.cgroups.v2.Metrics;
import io.jrunc.proto.cgroups.v2.RdmaEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class V2MetricsReaderTest {
    private static final long MAX = -1L; // 2^64-1 as uint64

    @TempDir
    Path dir;

    private FakeCgroupTree tree;

    @BeforeEach
    void setUp() {
        tree = new FakeCgroupTree(dir);
        tree.v2Container();
    }

    private Metrics read() throws IOException {
        return new V2MetricsReader().read(new Cgroup.V2(tree.root.resolve("ns/c1")));
    }

    @Test
    void pidsWithMaxAsLargestValue() throws IOException {
        Metrics m = read();
        assertEquals(2, m.getPids().getCurrent());
        assertEquals(MAX, m.getPids().getLimit());
    }

    @Test
    void cpuStatInMicroseconds() throws IOException {
        Metrics m = read();
        assertEquals(1500, m.getCpu().getUsageUsec());
        assertEquals(1000, m.getCpu().getUserUsec());
        assertEquals(500, m.getCpu().getSystemUsec());
        assertEquals(7, m.getCpu().getNrPeriods());
        assertEquals(1, m.getCpu().getNrThrottled());
        assertEquals(42, m.getCpu().getThrottledUsec());
    }

    @Test
    void memoryStatCurrentMaxSwapAndPeak() throws IOException {
        MemoryStat mem = read().getMemory();
        assertEquals(1048576, mem.getAnon());
        assertEquals(8192, mem.getFile());
        assertEquals(16384, mem.getKernelStack());
        assertEquals(3000, mem.getSlab());
        assertEquals(4096, mem.getInactiveFile());
        assertEquals(300, mem.getPgfault());
        assertEquals(2, mem.getPgmajfault());
        assertEquals(1200000, mem.getUsage());
        assertEquals(33554432, mem.getUsageLimit());
        assertEquals(0, mem.getSwapUsage());
        assertEquals(MAX, mem.getSwapLimit());
        assertEquals(2000000, mem.getMaxUsage());
        assertEquals(0, mem.getSwapMaxUsage(), "no memory.swap.peak");
    }

    @Test
    void memoryStatKeysThatAreNotMetricsFieldsDoNotLeakIntoComputedOnes() throws IOException {
        tree.file("ns/c1/memory.stat", "anon 1\nusage 999\nusage_limit 999\n");
        MemoryStat mem = read().getMemory();
        assertEquals(1, mem.getAnon());
        assertEquals(1200000, mem.getUsage(), "usage comes from memory.current only");
        assertEquals(33554432, mem.getUsageLimit());
    }

    @Test
    void memoryEventsIncludingOomKill() throws IOException {
        Metrics m = read();
        assertTrue(m.hasMemoryEvents());
        assertEquals(5, m.getMemoryEvents().getMax());
        assertEquals(1, m.getMemoryEvents().getOom());
        assertEquals(1, m.getMemoryEvents().getOomKill());

        Files.delete(tree.root.resolve("ns/c1/memory.events"));
        assertFalse(read().hasMemoryEvents());
    }

    @Test
    void ioRdmaAndHugetlb() throws IOException {
        Metrics m = read();
        assertEquals(List.of(IOEntry.newBuilder().setMajor(8).setMinor(0).setRbytes(4096).setWbytes(8192).setRios(1).setWios(2).build()),
                m.getIo().getUsageList());
        assertEquals(List.of(RdmaEntry.newBuilder().setDevice("mlx4_0").setHcaHandles(2).setHcaObjects(2000).build()),
                m.getRdma().getCurrentList());
        assertEquals(-1, m.getRdma().getLimit(0).getHcaHandles(), "max is the largest uint32");
        assertEquals(1, m.getHugetlbCount());
        assertEquals("2MB", m.getHugetlb(0).getPagesize());
        assertEquals(MAX, m.getHugetlb(0).getMax());
    }

    @Test
    void anEmptyCgroupStillHasEverySectionButMemoryEvents() throws IOException {
        Path empty = tree.dir("ns/empty");
        Metrics m = new V2MetricsReader().read(new Cgroup.V2(empty));
        assertTrue(m.hasPids() && m.hasCpu() && m.hasMemory() && m.hasIo() && m.hasRdma(), m::toString);
        assertFalse(m.hasMemoryEvents());
        assertEquals(0, m.getMemory().getUsage());
    }
}
