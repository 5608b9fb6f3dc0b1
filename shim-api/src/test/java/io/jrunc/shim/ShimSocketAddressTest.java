package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShimSocketAddressTest {

    @Test
    void addressIsTheGoShimsHash() {
        // observed from containerd 1.6.20 + the Go shim: unix:///run/containerd/s/5167…bdc4
        ShimSocketAddress address = ShimSocketAddress.of("/tmp/ctd/containerd.sock", "testns", "c6");
        String name = address.path().getFileName().toString();
        assertEquals("5167307efaaee96e98f45ed6d8ae2527b7ba95a1789861cba87a49ac5222bdc4", name);
        assertEquals("unix:///run/containerd/s/" + name, address.toString());
        assertEquals(Path.of("/run/containerd/s"), address.path().getParent());
    }

    @Test
    void theSeedIsPathJoinedLikeGo() {
        String expected = ShimSocketAddress.of("/tmp/ctd/containerd.sock", "testns", "c6").path().getFileName().toString();
        assertEquals(expected, ShimSocketAddress.of("/tmp//ctd/./containerd.sock/", "testns", "c6").path().getFileName().toString());
        assertEquals(ShimSocketAddress.sha256Hex("ns/id"), ShimSocketAddress.of("", "ns", "id").path().getFileName().toString());
    }

    @Test
    void goPathsCleanLikeFilepathClean() {
        assertEquals("/a/c", GoPaths.clean("/a/b/../c/"));
        assertEquals("/", GoPaths.clean("/../.."));
        assertEquals("../x", GoPaths.clean("a/../../x"));
        assertEquals(".", GoPaths.clean(""));
        assertEquals(".", GoPaths.clean("a/.."));
        assertEquals("/a/b/c", GoPaths.join("/a", "", "b//", "./c"));
        assertEquals("", GoPaths.join("", ""));
    }

    @Test
    void addressesParseBack() {
        ShimSocketAddress address = ShimSocketAddress.of(Path.of("/tmp/s"), "/a", "ns", "id");
        assertEquals(address, ShimSocketAddress.parse(address + "\n"));
        assertThrows(IllegalArgumentException.class, () -> ShimSocketAddress.parse("/run/containerd/s/x"));
        assertThrows(IllegalArgumentException.class, () -> ShimSocketAddress.parse("unix://"));
    }

    @Test
    void addressFileIsWrittenWholeAndReadBack(@TempDir Path bundle) throws Exception {
        assertEquals(Optional.empty(), AddressFile.read(bundle));
        ShimSocketAddress address = ShimSocketAddress.of("/a", "ns", "id");
        AddressFile.write(bundle, address);
        assertEquals(address.toString(), Files.readString(bundle.resolve("address")), "no trailing newline");
        assertEquals(Optional.of(address), AddressFile.read(bundle));
        assertTrue(Files.notExists(bundle.resolve(".address")));
    }
}
