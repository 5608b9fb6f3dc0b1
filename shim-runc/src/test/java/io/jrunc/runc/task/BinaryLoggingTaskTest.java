package io.jrunc.runc.task;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.jrunc.proto.task.v2.DeleteRequest;
import io.jrunc.proto.task.v2.ExecProcessRequest;
import io.jrunc.proto.task.v2.StartRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** binary:// stdio for an init and an exec, with a shell script as the logging binary. */
class BinaryLoggingTaskTest extends FakeRuncServiceTestBase {

    /**
     * Writes "&lt;id&gt; &lt;namespace&gt; &lt;args&gt;" to log-&lt;id&gt;.env, then copies stdout to log-&lt;id&gt;.out
     * and stderr to log-&lt;id&gt;.err; on SIGTERM it lets the copies finish.
     */
    private String logger() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path script = logs.resolve("logger.sh");
        Files.writeString(script, "#!/bin/sh\nout=" + logs + "/log-$CONTAINER_ID\n"
                + "echo \"$CONTAINER_ID $CONTAINER_NAMESPACE $*\" > $out.env\n"
                + "trap 'wait; exit 0' TERM\ncat <&3 > $out.out 5>&- &\ncat <&4 > $out.err 5>&- &\n"
                + "exec 5>&-\nwait\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return "binary://" + script + "?tag=t1";
    }

    private String log(String name) throws Exception {
        return Files.readString(dir.resolve("logs").resolve(name));
    }

    @Test
    void initAndExecOutputGoesToTheirLoggers() throws Exception {
        String uri = logger();
        runc.command("c1", "echo init-out; echo init-err >&2; exec sleep 100");
        service.create(createRequest("c1").setStdout(uri).setStderr(uri).build());
        assertEquals("c1 testns tag t1\n", log("log-c1.env"), "the logger was ready before runc create");
        service.start(StartRequest.newBuilder().setId("c1").build());

        runc.execCommand("e1", "echo exec-out; echo exec-err >&2; exit 2");
        service.exec(ExecProcessRequest.newBuilder().setId("c1").setExecId("e1").setStdout(uri).setStderr(uri)
                .setSpec(Any.newBuilder().setValue(ByteString.copyFromUtf8("{\"args\":[\"x\"]}"))).build());
        service.start(StartRequest.newBuilder().setId("c1").setExecId("e1").build());
        assertEquals(2, waitFor("c1", "e1").getExitStatus());
        service.delete(DeleteRequest.newBuilder().setId("c1").setExecId("e1").build());
        assertEquals("e1 testns tag t1\n", log("log-e1.env"), "an exec's logger gets the exec id, as in Go");
        assertEquals("exec-out\n", log("log-e1.out"));
        assertEquals("exec-err\n", log("log-e1.err"));

        service.kill(io.jrunc.proto.task.v2.KillRequest.newBuilder().setId("c1").setSignal(9).build());
        waitFor("c1", "");
        service.delete(DeleteRequest.newBuilder().setId("c1").build());
        assertEquals("init-out\n", log("log-c1.out"));
        assertEquals("init-err\n", log("log-c1.err"));
    }
}
