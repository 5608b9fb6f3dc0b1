package io.jrunc.it.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrunc.it.harness.CommandResult;
import io.jrunc.it.harness.ShimScenario;
import io.jrunc.it.harness.ShimUnderTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Container output crosses the shim without a lost, doubled or reordered byte. */
class OutputExactnessIT extends ExecScenarios {
    private static final long GIB = 1L << 30;

    @ParameterizedTest
    @EnumSource(ShimUnderTest.class)
    void seqOfAMillionLinesArrivesExactly(ShimUnderTest shim) {
        try (ShimScenario s = begin(shim)) {
            CommandResult r = s.runForeground("seq", "/bin/seq", "1", "1000000");
            assertEquals(0, r.exitCode(), r.stderr());
            String expected = IntStream.rangeClosed(1, 1_000_000).mapToObj(Integer::toString)
                    .collect(Collectors.joining("\n", "", "\n"));
            assertEquals(expected.length(), r.stdout().length(), "bytes of `seq 1 1000000`");
            assertTrue(expected.equals(r.stdout()), "output differs from `seq 1 1000000` at byte "
                    + firstDifference(expected, r.stdout()));
        }
    }

    /**
     * 1 GiB of random bytes: the container writes them to a file, prints their MD5 on stderr, then
     * copies the file to stdout; the test digests what arrives through the shim and ctr's fifo.
     */
    @ParameterizedTest
    @EnumSource(ShimUnderTest.class)
    void oneGibOfRandomStdoutArrivesByteExact(ShimUnderTest shim) throws Exception {
        try (ShimScenario s = begin(shim)) {
            String id = "gib";
            s.own(id);
            String file = "/tmp/jrunc-gib-" + s.namespace();
            String script = "head -c " + GIB + " /dev/urandom > " + file + " && md5sum " + file
                    + " >&2 && cat " + file + "; status=$?; rm -f " + file + "; exit $status";
            List<String> command = new ArrayList<>(List.of(s.ctr().binary(), "--address",
                    s.ctr().address().toString(), "-n", s.namespace()));
            command.addAll(List.of(s.ctrRunArgs(List.of("--rm", "--fifo-dir", containerd.fifoDir().toString()),
                    id, "/bin/sh", "-c", script)));
            Process ctr = new ProcessBuilder(command).start();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(ctr.getErrorStream()));
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            long received = 0;
            try (InputStream out = ctr.getInputStream()) {
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = out.read(buffer)) > 0; ) {
                    md5.update(buffer, 0, n);
                    received += n;
                }
            }
            assertTrue(ctr.waitFor(100, TimeUnit.SECONDS), "ctr run did not finish");
            String errors = stderr.get(10, TimeUnit.SECONDS);
            assertEquals(0, ctr.exitValue(), errors);
            assertEquals(GIB, received, "bytes received on stdout");
            String sent = errors.strip().split("\\s+")[0];
            assertEquals(sent, HexFormat.of().formatHex(md5.digest()), "MD5 of what the container wrote vs received");
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int firstDifference(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            if (a.charAt(i) != b.charAt(i)) {
                return i;
            }
        }
        return n;
    }
}
