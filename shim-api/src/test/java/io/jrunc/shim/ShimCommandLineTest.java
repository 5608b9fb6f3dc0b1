package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShimCommandLineTest {

    private static ShimFlags parse(String... args) throws ShimUsageException {
        return ShimCommandLine.parse(args);
    }

    @Test
    void startAsContainerd16SendsIt() throws Exception {
        ShimFlags flags = parse("-namespace", "testns", "-address", "/tmp/ctd/containerd.sock",
                "-publish-binary", "/usr/bin/containerd", "-id", "c3", "-debug", "start");
        assertEquals(new ShimFlags("testns", "c3", "/tmp/ctd/containerd.sock", "/usr/bin/containerd",
                Path.of("").toAbsolutePath(), true, Optional.empty(), ShimFlags.Action.START), flags);
    }

    @Test
    void deleteCarriesTheBundle() throws Exception {
        ShimFlags flags = parse("-namespace", "testns", "-address", "/a.sock", "-publish-binary", "/usr/bin/containerd",
                "-id", "c3", "-bundle", "/run/b/c3", "delete");
        assertEquals(ShimFlags.Action.DELETE, flags.action());
        assertEquals(Path.of("/run/b/c3"), flags.bundle());
        assertFalse(flags.debug());
    }

    @Test
    void noActionServes() throws Exception {
        ShimFlags flags = parse("-namespace", "k8s.io", "-id", "p1", "-address", "/run/containerd/containerd.sock");
        assertEquals(ShimFlags.Action.SERVE, flags.action());
        assertEquals("", flags.publishBinary());
    }

    @Test
    void doubleDashAndEqualsFormsAreAccepted() throws Exception {
        ShimFlags flags = parse("--namespace=ns", "-id=x", "--address", "/a", "-debug=true", "-socket=/tmp/s.sock", "start");
        assertEquals("ns", flags.namespace());
        assertEquals("x", flags.id());
        assertEquals("/a", flags.address());
        assertTrue(flags.debug());
        assertEquals(Optional.of(Path.of("/tmp/s.sock")), flags.socket());
        assertFalse(parse("-namespace", "n", "-id", "i", "-address", "a", "-debug=false").debug());
    }

    @Test
    void unknownFlagsAreSkippedWithTheirValues() throws Exception {
        ShimFlags flags = parse("-namespace", "ns", "-future-flag", "value", "-id", "x", "-other=1",
                "-address", "/a", "-newbool", "start");
        assertEquals("x", flags.id());
        assertEquals("/a", flags.address());
        assertEquals(ShimFlags.Action.START, flags.action());
        assertEquals(ShimFlags.Action.DELETE, parse("-namespace", "ns", "-id", "x", "-address", "/a", "-flag", "delete").action());
    }

    @Test
    void parsingStopsAtTheAction() throws Exception {
        ShimFlags flags = parse("-namespace", "ns", "-id", "x", "-address", "/a", "delete", "-debug");
        assertEquals(ShimFlags.Action.DELETE, flags.action());
        assertFalse(flags.debug());
    }

    @Test
    void versionNeedsNothingElse() throws Exception {
        assertEquals(ShimFlags.Action.VERSION, parse("-v").action());
        assertEquals(ShimFlags.Action.VERSION, parse("--version").action());
        assertEquals(ShimFlags.Action.VERSION, parse("-namespace", "ns", "-v", "start").action());
    }

    @Test
    void missingRequiredFlagsAreNamedOnOneLine() {
        ShimUsageException e = assertThrows(ShimUsageException.class, () -> parse("-namespace", "ns", "start"));
        assertTrue(e.getMessage().startsWith("missing -id, -address (usage:"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        ShimUsageException none = assertThrows(ShimUsageException.class, () -> parse());
        assertTrue(none.getMessage().startsWith("missing -namespace, -id, -address"), none.getMessage());
        assertThrows(ShimUsageException.class, () -> parse("-namespace", "", "-id", "x", "-address", "/a", "delete"));
    }

    @Test
    void badInputIsAUsageError() {
        assertEquals("unknown action \"stop\" (expected start, delete or none to serve)",
                assertThrows(ShimUsageException.class, () -> parse("-namespace", "n", "-id", "i", "-address", "a", "stop"))
                        .getMessage());
        assertEquals("flag needs an argument: -id",
                assertThrows(ShimUsageException.class, () -> parse("-namespace", "n", "-id")).getMessage());
        assertEquals("invalid boolean value \"yes\" for -debug",
                assertThrows(ShimUsageException.class, () -> parse("-debug=yes")).getMessage());
    }
}
