package io.jrunc.it.foundation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import io.jrunc.it.harness.BusyboxRootfs;
import io.jrunc.it.harness.Ctr;
import io.jrunc.it.harness.Leftovers;
import io.jrunc.it.harness.Poll;
import io.jrunc.it.harness.PrivateContainerd;
import io.jrunc.it.harness.Procs;
import io.jrunc.it.harness.ShimAddress;
import io.jrunc.it.harness.ShimUnderTest;
import io.jrunc.proto.task.v2.ConnectRequest;
import io.jrunc.proto.task.v2.ConnectResponse;
import io.jrunc.proto.task.v2.PidsRequest;
import io.jrunc.proto.task.v2.PidsResponse;
import io.jrunc.proto.task.v2.StateRequest;
import io.jrunc.proto.task.v2.StateResponse;
import io.jrunc.proto.types.task.ProcessInfo;
import io.jrunc.proto.types.task.Status;
import io.jrunc.ttrpc.CallOptions;
import io.jrunc.ttrpc.StatusCode;
import io.jrunc.ttrpc.TtrpcClient;
import io.jrunc.ttrpc.TtrpcException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our ttrpc client against the reference Go shim (containerd-shim-runc-v2) of a real container:
 * State, Pids and Connect must agree with what containerd reports, and errors must come back as
 * the status codes the Go shim really sends.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GoShimTtrpcIT {
    private static final String TASK_SERVICE = "containerd.task.v2.Task";
    private static final CallOptions CALL = CallOptions.none().withTimeout(Duration.ofSeconds(10));

    private static PrivateContainerd containerd;
    private static BusyboxRootfs rootfs;

    @BeforeAll
    static void setUp() {
        rootfs = BusyboxRootfs.create();
        containerd = PrivateContainerd.start();
    }

    @AfterAll
    static void tearDown() {
        if (containerd != null) {
            containerd.close();
        }
        if (rootfs != null) {
            rootfs.close();
        }
    }

    @Test
    void goShimAnswersOurTtrpcClient() throws Exception {
        String namespace = containerd.newNamespace();
        String id = "go-ttrpc-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Leftovers leftovers = Leftovers.snapshot(containerd, namespace, rootfs.path());
        Ctr ctr = containerd.ctr(namespace);
        try {
            ctr.ok("run", "-d", "--null-io", "--runtime", ShimUnderTest.GO.runtime(),
                    "--rootfs", rootfs.path().toString(), id, "/bin/sh", "-c", "sleep 300");

            Path socket = ShimAddress.fromBundle(containerd.bundle(namespace, id));
            assertEquals(ShimAddress.derived(containerd.grpcSocket(), namespace, id), socket,
                    "the Go shim listens where containerd 1.6's naming rule says");
            Ctr.TaskRow listed = ctr.task(id).orElseThrow(() -> new AssertionError("ctr task ls does not show " + id));
            assertEquals("RUNNING", listed.status());

            try (TtrpcClient shim = TtrpcClient.connect(socket)) {
                StateResponse state = shim.call(TASK_SERVICE, "State",
                        StateRequest.newBuilder().setId(id).build(), StateResponse.parser(), CALL);
                assertEquals(id, state.getId());
                assertEquals(listed.pid(), state.getPid());
                assertEquals(Status.RUNNING, state.getStatus());
                assertEquals(containerd.bundle(namespace, id).toString(), state.getBundle());

                PidsResponse pids = shim.call(TASK_SERVICE, "Pids",
                        PidsRequest.newBuilder().setId(id).build(), PidsResponse.parser(), CALL);
                assertTrue(pids.getProcessesList().stream().map(ProcessInfo::getPid).anyMatch(p -> p == listed.pid()),
                        "Pids lists the init pid " + listed.pid() + ": " + pids);

                ConnectResponse connect = shim.call(TASK_SERVICE, "Connect",
                        ConnectRequest.newBuilder().setId(id).build(), ConnectResponse.parser(), CALL);
                assertEquals(listed.pid(), connect.getTaskPid());
                String shimCmd = Procs.cmdline(connect.getShimPid()).orElse("");
                assertTrue(shimCmd.contains(ShimUnderTest.GO.binaryName()) && shimCmd.contains(id),
                        "Connect.shim_pid " + connect.getShimPid() + " is the shim: " + shimCmd);

                TtrpcException unknownMethod = assertThrows(TtrpcException.class, () -> shim.call(TASK_SERVICE,
                        "NoSuchMethod", Empty.getDefaultInstance(), Empty.parser(), CALL));
                assertEquals(StatusCode.UNIMPLEMENTED, unknownMethod.code(), unknownMethod.toString());

                TtrpcException unknownService = assertThrows(TtrpcException.class, () -> shim.call(
                        "containerd.task.v9.Task", "State", StateRequest.newBuilder().setId(id).build(),
                        StateResponse.parser(), CALL));
                assertEquals(StatusCode.UNIMPLEMENTED, unknownService.code(), unknownService.toString());

                TtrpcException unknownId = assertThrows(TtrpcException.class, () -> shim.call(TASK_SERVICE, "State",
                        StateRequest.newBuilder().setId("no-such-container").build(), StateResponse.parser(), CALL));
                assertEquals(StatusCode.NOT_FOUND, unknownId.code(), unknownId.toString());

                // Recorded for the protocol notes: the Go shim's exact wording.
                System.out.println("Go shim, unknown method:  " + unknownMethod);
                System.out.println("Go shim, unknown service: " + unknownService);
                System.out.println("Go shim, unknown id:      " + unknownId);
                System.out.println("Go shim, Connect:         shim_pid=" + connect.getShimPid() + " task_pid="
                        + connect.getTaskPid() + " version='" + connect.getVersion() + "'");
            }
        } finally {
            removeContainer(ctr, id);
        }
        leftovers.assertNone(Duration.ofSeconds(15), id);
    }

    /** SIGKILL the task, wait until containerd sees it stopped, then delete task and container. */
    private static void removeContainer(Ctr ctr, String id) {
        if (ctr.task(id).isPresent()) {
            ctr.run("task", "kill", "-s", "SIGKILL", id);
            Poll.require(Duration.ofSeconds(20),
                    () -> ctr.task(id).map(t -> t.status().equals("STOPPED")).orElse(true),
                    () -> "task " + id + " to stop: " + ctr.task(id));
            ctr.ok("task", "delete", id);
        }
        ctr.run("container", "delete", id);
    }
}
