package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jrunc.proto.events.TaskCreate;
import io.jrunc.proto.events.TaskStart;
import io.jrunc.proto.runc.v1.CheckpointOptions;
import io.jrunc.proto.task.v2.CheckpointTaskRequest;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.ExecProcessRequest;
import io.jrunc.proto.task.v2.StartRequest;
import io.jrunc.proto.types.task.Status;
import io.jrunc.shim.errors.ErrorKind;
import io.jrunc.shim.typeurl.TypeUrls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checkpoint and restore as the Go shim drives runc (criu itself cannot run on this machine). */
class CheckpointRestoreTest extends FakeRuncServiceTestBase {

    private CheckpointTaskRequest.Builder checkpoint(String id, String path, CheckpointOptions options) {
        return CheckpointTaskRequest.newBuilder().setId(id).setPath(path).setOptions(TypeUrls.pack(options));
    }

    @Test
    void checkpointPassesTheOptionsAndLeavesTheContainerRunning() throws Exception {
        create("c1", "exec sleep 100");
        assertStatus(ErrorKind.UNKNOWN, "cannot checkpoint a task in created state",
                () -> service.checkpoint(checkpoint("c1", "/img", CheckpointOptions.getDefaultInstance()).build()));
        service.start(StartRequest.newBuilder().setId("c1").build());

        service.checkpoint(checkpoint("c1", "/img", CheckpointOptions.newBuilder().setOpenTcp(true)
                .setExternalUnixSockets(true).setTerminal(true).setFileLocks(true).setCgroupsMode("soft")
                .addEmptyNamespaces("network").addEmptyNamespaces("ipc").build()).build());
        Path bundle = dir.resolve("bundles/c1");
        Path work = bundle.resolve("work/criu-work");
        assertEquals("checkpoint --image-path /img --work-path " + work + " --tcp-established --ext-unix-sk --shell-job"
                + " --file-locks --manage-cgroups-mode soft --empty-ns network --empty-ns ipc --leave-running c1",
                runc.subcommands().getLast());
        assertFalse(Files.exists(work), "the shim's own criu work directory is removed afterwards");
        assertEquals(Status.RUNNING, state("c1", "").getStatus());
        assertEquals(List.of("/tasks/create", "/tasks/start"), events.topics(), "no /tasks/checkpointed, as the Go shim");

        // Options may be absent; a client's work path is kept.
        Path clientWork = dir.resolve("client-work");
        service.checkpoint(CheckpointTaskRequest.newBuilder().setId("c1").setPath("/img2").build());
        assertEquals("checkpoint --image-path /img2 --work-path " + work + " --leave-running c1", runc.subcommands().getLast());
        service.checkpoint(checkpoint("c1", "/img3", CheckpointOptions.newBuilder().setWorkPath(clientWork.toString()).build()).build());
        assertTrue(Files.exists(clientWork.resolve("dump.log")));

        assertStatus(ErrorKind.INVALID_ARGUMENT, "CheckpointTaskRequest.options must hold containerd.runc.v1.CheckpointOptions or containerd.linux.runc.CheckpointOptions: "
                        + "expected an Any holding containerd.runc.v1.CheckpointOptions, got type URL 'containerd.runc.v1.Options'",
                () -> service.checkpoint(CheckpointTaskRequest.newBuilder().setId("c1").setPath("/img")
                        .setOptions(Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(ByteString.EMPTY)).build()));
    }

    @Test
    void aFailedCheckpointReportsRuncsFirstLineAndKeepsCriusLog() throws Exception {
        run("c1", "exec sleep 100");
        runc.failCheckpoints();
        Path bundle = dir.resolve("bundles/c1");
        assertStatus(ErrorKind.UNKNOWN, runc.binary() + " did not terminate successfully: exit status 1: criu failed: "
                        + "type NOTIFY errno 0 path= " + bundle.resolve("criu-dump.log"),
                () -> service.checkpoint(checkpoint("c1", "/img", CheckpointOptions.getDefaultInstance()).build()));
        assertEquals("criu dump log\n", Files.readString(bundle.resolve("criu-dump.log")));
        assertFalse(Files.exists(bundle.resolve("work/criu-work")));
        assertEquals(Status.RUNNING, state("c1", "").getStatus());
    }

    @Test
    void checkpointWithExitStopsTheContainer() throws Exception {
        run("c1", "exec sleep 100");
        service.checkpoint(checkpoint("c1", "/img", CheckpointOptions.newBuilder().setExit(true).build()).build());
        assertFalse(runc.subcommands().getLast().contains("--leave-running"), runc.subcommands().getLast());
        assertEquals(137, waitFor("c1", "").getExitStatus());
        assertStatus(ErrorKind.UNKNOWN, "cannot checkpoint a stopped container",
                () -> service.checkpoint(checkpoint("c1", "/img", CheckpointOptions.getDefaultInstance()).build()));
        // runc deleted the container after the checkpoint: Delete still works.
        service.delete(DeleteRequest.newBuilder().setId("c1").build());
    }

    @Test
    void createFromACheckpointRestoresAtStart() throws Exception {
        runc.command("c1", "echo restored; exit 4");
        Path log = dir.resolve("c1.log");
        int pid = service.create(createRequest("c1", o -> o.setNoPivotRoot(true))
                .setCheckpoint("/ckpt").setParentCheckpoint("/parent").setStdout("file://" + log).build()).getPid();
        assertEquals(0, pid, "no process before the restore, as in Go");
        assertEquals(List.of(), runc.invocations(), "runc create is not run");
        assertEquals(Status.CREATED, state("c1", "").getStatus());
        assertEquals("/ckpt", ((TaskCreate) events.all().getFirst().payload()).getCheckpoint());
        assertStatus(ErrorKind.UNKNOWN, "cannot exec in a created state",
                () -> service.exec(ExecProcessRequest.newBuilder().setId("c1").setExecId("e1")
                        .setSpec(Any.newBuilder().setValue(ByteString.copyFromUtf8("{}"))).build()));

        int restored = service.start(StartRequest.newBuilder().setId("c1").build()).getPid();
        assertTrue(restored > 0);
        Path bundle = dir.resolve("bundles/c1");
        assertEquals("restore --image-path /ckpt --work-path " + bundle.resolve("work") + " --parent-path /parent --detach"
                + " --pid-file " + bundle.resolve("init.pid") + " --no-pivot -no-subreaper --bundle " + bundle + " c1",
                runc.subcommands().getFirst());
        assertEquals(4, waitFor("c1", "").getExitStatus());
        assertEquals(restored, state("c1", "").getPid());
        assertEquals(List.of("/tasks/create", "/tasks/start", "/tasks/exit"), events.topics());
        assertEquals(restored, ((TaskStart) events.all().get(1).payload()).getPid());
        service.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertEquals("restored\n", Files.readString(log), "stdio is copied once restored");
    }

    @Test
    void criuWorkPathOptionIsTheRestoreWorkPath() throws Exception {
        runc.command("c1", "true");
        service.create(createRequest("c1", o -> o.setCriuWorkPath("/var/criu")).setCheckpoint("/ckpt").build());
        runc.failNext("restore", "criu failed: type RESTORE errno 0");
        assertStatus(ErrorKind.UNKNOWN, "OCI runtime restore failed: criu failed: type RESTORE errno 0",
                () -> service.start(StartRequest.newBuilder().setId("c1").build()));
        assertTrue(runc.subcommands().getFirst().startsWith("restore --image-path /ckpt --work-path /var/criu --detach "),
                runc.subcommands().getFirst());
        assertEquals(Status.CREATED, state("c1", "").getStatus());
        service.delete(DeleteRequest.newBuilder().setId("c1").build());
    }
}
