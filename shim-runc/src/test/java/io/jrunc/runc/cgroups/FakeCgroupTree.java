package io.jrunc.runc.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A cgroup hierarchy and a /proc made of plain files in a temp dir, with the kernel's file formats. */
final class FakeCgroupTree {
    final Path root;
    final Path proc;

    FakeCgroupTree(Path dir) {
        this.root = dir.resolve("sys/fs/cgroup");
        this.proc = dir.resolve("proc");
    }

    /** Writes {@code content} to {@code root/relative}, creating directories. */
    Path file(String relative, String content) {
        return write(root.resolve(relative), content);
    }

    /** /proc/&lt;pid&gt;/cgroup. */
    void procCgroup(int pid, String content) {
        write(proc.resolve(Integer.toString(pid)).resolve("cgroup"), content);
    }

    void procFile(String relative, String content) {
        write(proc.resolve(relative), content);
    }

    Path dir(String relative) {
        try {
            return Files.createDirectories(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CgroupLocator locator(CgroupMode mode) {
        return new CgroupLocator(mode, root, proc);
    }

    private static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The /proc/&lt;pid&gt;/cgroup of a ctr container "ns/c1" on this project's cgroup v1 host (hybrid). */
    static final String V1_PROC_CGROUP = """
            12:hugetlb:/ns/c1
            9:name=systemd:/ns/c1
            8:pids:/ns/c1
            7:blkio:/ns/c1
            6:freezer:/ns/c1
            5:devices:/ns/c1
            4:memory:/ns/c1
            3:cpuset:/ns/c1
            2:cpuacct:/ns/c1
            1:cpu:/ns/c1
            0::/ns/c1
            """;

    /** A v1 container cgroup "ns/c1" with every file the readers look at. */
    void v1Container() {
        for (String controller : new String[] {"cpu", "cpuacct", "memory", "pids", "blkio", "hugetlb", "devices",
                "freezer", "cpuset", "unified"}) {
            dir(controller + "/ns/c1");
        }
        file("pids/ns/c1/pids.current", "3\n");
        file("pids/ns/c1/pids.max", "max\n");
        file("cpuacct/ns/c1/cpuacct.usage", "9597743\n");
        file("cpuacct/ns/c1/cpuacct.stat", "user 12\nsystem 3\n");
        file("cpuacct/ns/c1/cpuacct.usage_percpu", "4606109 4991634 \n");
        file("cpu/ns/c1/cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 123456\n");
        file("memory/ns/c1/memory.stat", """
                cache 4096
                rss 53248
                rss_huge 0
                shmem 0
                mapped_file 0
                dirty 4096
                writeback 0
                swap 0
                pgpgin 368
                pgpgout 354
                pgfault 634
                pgmajfault 1
                inactive_anon 49152
                active_anon 4096
                inactive_file 8192
                active_file 4096
                unevictable 0
                hierarchical_memory_limit 33554432
                hierarchical_memsw_limit 9223372036854771712
                total_cache 4096
                total_rss 53248
                total_rss_huge 0
                total_shmem 0
                total_mapped_file 0
                total_dirty 4096
                total_writeback 0
                total_swap 0
                total_pgpgin 368
                total_pgpgout 354
                total_pgfault 634
                total_pgmajfault 1
                total_inactive_anon 49152
                total_active_anon 4096
                total_inactive_file 8192
                total_active_file 4096
                total_unevictable 0
                """);
        file("memory/ns/c1/memory.usage_in_bytes", "475136\n");
        file("memory/ns/c1/memory.max_usage_in_bytes", "2248704\n");
        file("memory/ns/c1/memory.failcnt", "0\n");
        file("memory/ns/c1/memory.limit_in_bytes", "33554432\n");
        file("memory/ns/c1/memory.memsw.usage_in_bytes", "475136\n");
        file("memory/ns/c1/memory.memsw.max_usage_in_bytes", "2248704\n");
        file("memory/ns/c1/memory.memsw.failcnt", "0\n");
        file("memory/ns/c1/memory.memsw.limit_in_bytes", "9223372036854771712\n");
        file("memory/ns/c1/memory.kmem.usage_in_bytes", "233472\n");
        file("memory/ns/c1/memory.kmem.max_usage_in_bytes", "540672\n");
        file("memory/ns/c1/memory.kmem.failcnt", "0\n");
        file("memory/ns/c1/memory.kmem.limit_in_bytes", "9223372036854771712\n");
        file("memory/ns/c1/memory.kmem.tcp.usage_in_bytes", "0\n");
        file("memory/ns/c1/memory.kmem.tcp.max_usage_in_bytes", "0\n");
        file("memory/ns/c1/memory.kmem.tcp.failcnt", "0\n");
        file("memory/ns/c1/memory.kmem.tcp.limit_in_bytes", "9223372036854771712\n");
        file("memory/ns/c1/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        file("blkio/ns/c1/blkio.throttle.io_serviced", "8:0 Read 10\n8:0 Write 4\n8:0 Sync 14\n8:0 Async 0\n8:0 Discard 0\n8:0 Total 14\nTotal 14\n");
        file("blkio/ns/c1/blkio.throttle.io_service_bytes", "8:0 Read 40960\n8:0 Write 16384\nTotal 57344\n");
        file("hugetlb/ns/c1/hugetlb.2MB.usage_in_bytes", "2097152\n");
        file("hugetlb/ns/c1/hugetlb.2MB.max_usage_in_bytes", "4194304\n");
        file("hugetlb/ns/c1/hugetlb.2MB.failcnt", "1\n");
        file("hugetlb/ns/c1/hugetlb.2MB.rsvd.usage_in_bytes", "0\n");
        file("hugetlb/ns/c1/hugetlb.1GB.usage_in_bytes", "0\n");
        file("hugetlb/ns/c1/hugetlb.1GB.max_usage_in_bytes", "0\n");
        file("hugetlb/ns/c1/hugetlb.1GB.failcnt", "0\n");
        procFile("partitions", "major minor  #blocks  name\n\n   8        0   52428800 sda\n   8        1   52427776 sda1\n");
    }

    /** A v2 (unified) root with container cgroup "ns/c1" and every file the reader looks at. */
    void v2Container() {
        file("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        file("ns/c1/cgroup.controllers", "cpu io memory pids\n");
        file("ns/c1/pids.current", "2\n");
        file("ns/c1/pids.max", "max\n");
        file("ns/c1/cpu.stat", """
                usage_usec 1500
                user_usec 1000
                system_usec 500
                core_sched.force_idle_usec 0
                nr_periods 7
                nr_throttled 1
                throttled_usec 42
                nr_bursts 0
                burst_usec 0
                """);
        file("ns/c1/memory.stat", """
                anon 1048576
                file 8192
                kernel 12288
                kernel_stack 16384
                pagetables 4096
                sock 0
                shmem 0
                file_mapped 0
                file_dirty 0
                file_writeback 0
                anon_thp 0
                inactive_anon 1040384
                active_anon 8192
                inactive_file 4096
                active_file 4096
                unevictable 0
                slab_reclaimable 1000
                slab_unreclaimable 2000
                slab 3000
                workingset_refault_anon 0
                pgfault 300
                pgmajfault 2
                pgrefill 0
                thp_fault_alloc 0
                """);
        file("ns/c1/memory.current", "1200000\n");
        file("ns/c1/memory.max", "33554432\n");
        file("ns/c1/memory.swap.current", "0\n");
        file("ns/c1/memory.swap.max", "max\n");
        file("ns/c1/memory.peak", "2000000\n");
        file("ns/c1/memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n");
        file("ns/c1/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
        file("ns/c1/rdma.current", "mlx4_0 hca_handle=2 hca_object=2000\n");
        file("ns/c1/rdma.max", "mlx4_0 hca_handle=max hca_object=max\n");
        file("ns/c1/hugetlb.2MB.current", "0\n");
        file("ns/c1/hugetlb.2MB.max", "max\n");
        file("ns/c1/hugetlb.2MB.events", "max 0\n");
    }
}
