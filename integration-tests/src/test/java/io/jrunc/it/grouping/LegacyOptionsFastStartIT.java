package io.jrunc.it.grouping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code ctr run --no-pivot} against jrunc sends containerd.linux.runc.CreateOptions{no_pivot_root} (ctr's client
 * picks that type for a runtime not named io.containerd.runc*), on Create and on start's stdin. Under namespace
 * grouping the launcher reads those options in sh: no shim cgroup, so the second start still joins without a JVM.
 */
class LegacyOptionsFastStartIT extends GroupingScenarios {
    private static final List<String> SHARED = List.of("io.jrunc.grouping=namespace", "io.jrunc.linger=1s");

    @Test
    void createOptionsWithoutAShimCgroupKeepTheJvmFreeStart() {
        try (ShimScenario s = begin()) {
            for (String id : List.of("c1", "c2")) {
                List<String> args = new ArrayList<>(List.of("run", "-d", "--null-io", "--no-pivot"));
                for (String a : SHARED) {
                    args.addAll(List.of("--annotation", a));
                }
                args.addAll(List.of("--runtime", ShimUnderTest.JAVA.runtime(), "--rootfs", rootfs.path().toString(), id,
                        "/bin/sleep", "300"));
                s.own(id);
                s.ctr().ok(args.toArray(String[]::new));
                assertEquals("RUNNING", s.ctr().task(id).orElseThrow().status());
            }
            assertEquals(List.of("start jvm c1", "start fast c2"), traced(s.namespace()));
            assertEquals(1, daemonsOf(s.namespace()).size(), "one daemon: " + daemonsOf(s.namespace()));
        }
    }
}
