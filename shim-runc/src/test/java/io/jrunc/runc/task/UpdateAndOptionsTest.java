package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jrunc.proto.task.v2.KillRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.task.v2.UpdateTaskRequest;
import io.jrunc.runc.testsupport.FakeRunc;
import io.jrunc.shim.errors.ErrorKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Update, and how the runc options of Create reach runc and the stdio. */
class UpdateAndOptionsTest extends FakeRuncServiceTestBase {
    private static final String RESOURCES_TYPE = "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources";

    private UpdateTaskRequest update(String id, String json) {
        return UpdateTaskRequest.newBuilder().setId(id)
                .setResources(Any.newBuilder().setTypeUrl(RESOURCES_TYPE).setValue(ByteString.copyFromUtf8(json)))
                .build();
    }

    @Test
    void updateHandsTheResourcesToRuncOnStdin() throws Exception {
        create("c1", "exec sleep 100");
        String resources = "{\"memory\":{\"limit\":67108864},\"cpu\":{\"shares\":512}}";
        service.update(update("c1", resources)); // a created container can be updated
        assertEquals(resources, runc.recorded("update-c1.json"));
        assertTrue(runc.subcommands().contains("update --resources - c1"), runc.subcommands().toString());

        service.start(StartRequest.newBuilder().setId("c1").build());
        runc.failNext("update", "invalid memory limit");
        assertStatus(ErrorKind.UNKNOWN, runc.binary() + " did not terminate successfully: exit status 1: invalid memory limit",
                () -> service.update(update("c1", resources)));
        runc.clearFailure("update");

        assertStatus(ErrorKind.INVALID_ARGUMENT, "UpdateTaskRequest.resources must hold the OCI LinuxResources JSON",
                () -> service.update(UpdateTaskRequest.newBuilder().setId("c1").build()));
        assertCode(ErrorKind.INVALID_ARGUMENT, () -> service.update(update("c1", "not json")));
        assertStatus(ErrorKind.NOT_FOUND, "container not created: not found", () -> service.update(update("nope", "{}")));

        service.kill(KillRequest.newBuilder().setId("c1").setSignal(9).build());
        waitFor("c1", "");
        assertStatus(ErrorKind.UNKNOWN, "cannot update a stopped container", () -> service.update(update("c1", "{}")));
    }

    @Test
    void noPivotNoNewKeyringCriuPathAndIoOwnerReachRunc() throws Exception {
        Path fifo = dir.resolve("c1-stdout");
        FakeRunc.mkfifo(fifo);
        var out = readAll(fifo);
        runc.command("c1", "echo hi");
        service.create(createRequest("c1", o -> o.setNoPivotRoot(true).setNoNewKeyring(true)
                .setCriuPath("/opt/criu/bin/criu").setIoUid(1234).setIoGid(5678))
                .setStdout(fifo.toString()).build());
        service.start(StartRequest.newBuilder().setId("c1").build());
        waitFor("c1", "");
        assertEquals("hi\n", new String(out.get()));

        String create = runc.invocations().getFirst();
        assertTrue(create.contains(" --criu /opt/criu/bin/criu create "), create);
        assertTrue(create.endsWith(" --no-pivot --no-new-keyring c1"), create);
        assertTrue(runc.invocations().stream().allMatch(l -> l.contains("--criu /opt/criu/bin/criu")),
                "every runc call carries the global flags");
        assertEquals("1234:5678", runc.recorded("stdout-owner-c1").strip(), "the stdout pipe belongs to the io uid/gid");
    }

    @Test
    void systemdCgroupNeedsSystemdAndThenReachesRunc() throws Exception {
        runc.command("c1", "true");
        service.create(createRequest("c1", o -> o.setSystemdCgroup(true)).build());
        assertTrue(runc.invocations().getFirst().contains(" --systemd-cgroup create "), runc.invocations().getFirst());

        RuncTaskService withoutSystemd = newService(dir.resolve("no-systemd-here"));
        assertStatus(ErrorKind.FAILED_PRECONDITION, "runc option SystemdCgroup is set but systemd is not running on this "
                        + "host (" + dir.resolve("no-systemd-here") + " does not exist): set SystemdCgroup = false in the "
                        + "runtime options, or run containerd on a host booted with systemd",
                () -> withoutSystemd.create(createRequest("c2", o -> o.setSystemdCgroup(true)).build()));
        assertEquals(1, runc.invocations().size(), "nothing was run for the refused container");
        runc.command("c2", "true");
        assertTrue(withoutSystemd.create(createRequest("c2").build()).getPid() > 0, "without the option it works");
        assertEquals(List.of(), events.topics().stream().filter(t -> !t.equals("/tasks/create")).toList());
    }
}
