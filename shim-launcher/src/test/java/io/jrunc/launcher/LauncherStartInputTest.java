package io.jrunc.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.jrunc.proto.linux.runc.CreateOptions;
import io.jrunc.proto.linux.runc.RuncOptions;
import io.jrunc.proto.runc.v1.Options;
import io.jrunc.proto.runtime.bootstrap.v1.BootstrapParams;
import io.jrunc.proto.runtime.bootstrap.v1.Extension;
import io.jrunc.runc.RuncRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's reading of start's stdin (jr_start_qualifier) against the JVM's (RuncRuntime.groupingQualifier):
 * whenever sh is sure it gives the JVM's qualifier, and it is sure about what containerd's clients send.
 */
class LauncherStartInputTest {
    @TempDir
    Path tmp;

    private static Any any(String typeUrl, Message m) {
        return Any.newBuilder().setTypeUrl(typeUrl).setValue(m.toByteString()).build();
    }

    private static byte[] options(String cgroup) {
        return any("containerd.runc.v1.Options", Options.newBuilder().setShimCgroup(cgroup).setIoUid(1000).build()).toByteArray();
    }

    private static byte[] createOptions(String cgroup) {
        return any("containerd.linux.runc.CreateOptions", CreateOptions.newBuilder().setNoPivotRoot(true).setIoUid(100000)
                .setIoGid(100000).setShimCgroup(cgroup).addEmptyNamespaces("network").build()).toByteArray();
    }

    /** What containerd's clients send: sh must decide these itself. */
    static List<byte[]> common() {
        byte[] binary = new byte[300];
        new Random(3).nextBytes(binary);
        return List.of(
                new byte[0],
                options("/shims/a"),
                options(""),
                any("type.googleapis.com/containerd.runc.v1.Options", Options.newBuilder().setShimCgroup("/b").build()).toByteArray(),
                createOptions("/shims/a"),
                createOptions(""),
                createOptions("/" + "long/".repeat(40)),
                createOptions("/a%b\\c'd\"e f%s\\n"),
                any("containerd.linux.runc.RuncOptions", RuncOptions.newBuilder().setRuntime("/usr/bin/runc")
                        .setRuntimeRoot("/run/r").setSystemdCgroup(true).build()).toByteArray(),
                // CRI's options for a runtime that is not runc: no shim cgroup, keeps the fast path.
                Any.newBuilder().setTypeUrl("runtimeoptions.v1.Options")
                        .setValue(ByteString.copyFromUtf8("\n\u0004type\u0012\u0010/etc/jrunc.toml")).build().toByteArray(),
                Any.newBuilder().setTypeUrl("other.Type").setValue(ByteString.copyFrom(binary)).build().toByteArray(),
                Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").build().toByteArray());
    }

    /** Inputs sh may leave to the JVM. */
    static List<byte[]> unusual() {
        Options withUnknown = Options.newBuilder().setShimCgroup("/u").setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(100, UnknownFieldSet.Field.newBuilder().addVarint(1L << 40).addFixed32(7).addFixed64(9)
                        .addLengthDelimited(ByteString.copyFromUtf8("x")).build())
                .build()).build();
        return List.of(
                any("containerd.runc.v1.Options", withUnknown).toByteArray(),
                options("/ü"),
                concat(any("containerd.runc.v1.Options", Options.newBuilder().setShimCgroup("/one").build()).toByteArray(),
                        HexFormat.of().parseHex("12041a022f32")), // a second value: protobuf's last one wins
                BootstrapParams.newBuilder().setInstanceId("c1").setNamespace("ns").setLogLevelValue(-4)
                        .addExtensions(Extension.newBuilder().setValue(any("containerd.runc.v1.Options",
                                Options.newBuilder().setShimCgroup("/boot").build()))).build().toByteArray(),
                BootstrapParams.newBuilder().setInstanceId("c1").setNamespace("ns").build().toByteArray(),
                HexFormat.of().parseHex("ffff"),
                HexFormat.of().parseHex("0a05636f6e74"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** sh's answers, one per input: the qualifier ("" for none) or empty when unsure. */
    private List<Optional<String>> sh(List<byte[]> inputs) {
        StringBuilder script = new StringBuilder();
        for (byte[] input : inputs) {
            StringBuilder hex = new StringBuilder();
            for (byte b : input) {
                hex.append(' ').append(HexFormat.of().toHexDigits(b));
            }
            script.append("if jr_start_qualifier").append(hex)
                    .append("; then printf 'ok %s\\n' \"$jr_qualifier\"; else echo unsure; fi; ");
        }
        Sh.Result r = Sh.functions(script.toString(), Map.of(), tmp);
        assertEquals(0, r.code(), r.describe());
        List<Optional<String>> answers = new ArrayList<>();
        for (String line : r.out().split("\n", -1)) {
            if (!line.isEmpty()) {
                answers.add(line.equals("unsure") ? Optional.empty() : Optional.of(line.substring(3)));
            }
        }
        assertEquals(inputs.size(), answers.size(), r.describe());
        return answers;
    }

    private static Optional<String> jvm(byte[] input) {
        try {
            return Optional.of(new RuncRuntime().groupingQualifier(input).orElse(""));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    @Test
    void whatClientsSendIsDecidedInShAsTheJvmDecides() {
        List<byte[]> inputs = common();
        List<Optional<String>> sh = sh(inputs);
        for (int i = 0; i < inputs.size(); i++) {
            String what = "input " + i + " " + HexFormat.of().formatHex(inputs.get(i));
            assertTrue(sh.get(i).isPresent(), "sh unsure about " + what);
            assertEquals(jvm(inputs.get(i)), sh.get(i), what);
        }
        assertEquals(Optional.of(""), sh.get(0));
        assertEquals(16, sh.get(1).orElseThrow().length());
        assertEquals(sh.get(1), sh.get(4), "the same cgroup gives the same daemon, whatever the option type");
    }

    @Test
    void unusualInputIsTheJvmsOrUnsure() {
        List<byte[]> inputs = unusual();
        List<Optional<String>> sh = sh(inputs);
        for (int i = 0; i < inputs.size(); i++) {
            if (sh.get(i).isPresent()) {
                assertEquals(jvm(inputs.get(i)), sh.get(i), "input " + i + " " + HexFormat.of().formatHex(inputs.get(i)));
            }
        }
    }

    /** Mutated client inputs (bytes changed, cut, inserted): whenever sh is sure it agrees with the JVM. */
    @Test
    void mutatedInputIsTheJvmsOrUnsure() {
        Random random = new Random(11);
        List<byte[]> seeds = new ArrayList<>(common());
        seeds.addAll(unusual());
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            byte[] seed = seeds.get(random.nextInt(seeds.size() - 1) + 1);
            byte[] m = seed.clone();
            switch (random.nextInt(3)) {
                case 0 -> m[random.nextInt(m.length)] = (byte) random.nextInt(256);
                case 1 -> m = java.util.Arrays.copyOf(m, random.nextInt(m.length));
                default -> {
                    int at = random.nextInt(m.length);
                    m = concat(concat(java.util.Arrays.copyOf(m, at), new byte[] {(byte) random.nextInt(256)}),
                            java.util.Arrays.copyOfRange(seed, at, seed.length));
                }
            }
            inputs.add(m);
        }
        List<Optional<String>> sh = sh(inputs);
        int sure = 0;
        for (int i = 0; i < inputs.size(); i++) {
            if (sh.get(i).isPresent()) {
                sure++;
                assertEquals(jvm(inputs.get(i)), sh.get(i), "input " + HexFormat.of().formatHex(inputs.get(i)));
            }
        }
        assertTrue(sure > 40, "sh sure about " + sure + " of 400");
    }

    @Test
    void stdinIsHandedOnIntact() throws Exception {
        byte[] input = createOptions("/shims/a");
        Sh.Result r = Sh.functions("jr_key=@jrunc-shared; jr_qualify_shared_key && printf '%s\\n' \"$jr_key\" "
                + "&& jr_give_back_stdin && cat",
                Map.of(), tmp, input);
        assertEquals(0, r.code(), r.describe());
        String out = r.out();
        String key = out.substring(0, out.indexOf('\n'));
        assertEquals("@jrunc-shared@" + jvm(input).orElseThrow(), key);
        byte[] rest = java.util.Arrays.copyOfRange(r.stdout(), out.indexOf('\n') + 1, r.stdout().length);
        assertArrayEquals(input, rest, "what the JVM would read after sh");
    }
}
