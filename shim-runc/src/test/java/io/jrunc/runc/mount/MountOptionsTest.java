package io.jrunc.runc.mount;

import static io.jrunc.runc.mount.MountFlags.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountOptionsTest {

    @Test
    void overlayOptionsAreAllData() {
        MountOptions o = MountOptions.parse(List.of("index=off", "workdir=/w", "upperdir=/u", "lowerdir=/a:/b"));
        assertEquals(0, o.flags());
        assertEquals(0, o.propagation());
        assertEquals("index=off,workdir=/w,upperdir=/u,lowerdir=/a:/b", o.data());
        assertFalse(o.loop());
    }

    @Test
    void flagWordsSetAndClearBits() {
        MountOptions o = MountOptions.parse(List.of("ro", "nosuid", "nodev", "noexec", "relatime"));
        assertEquals(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME, o.flags());
        assertEquals("", o.data());
        // Later words win: rw clears ro, suid clears nosuid.
        assertEquals(MS_NODEV, MountOptions.parse(List.of("ro", "nosuid", "nodev", "rw", "suid")).flags());
    }

    @Test
    void rbindIsRecursiveBindAndReadOnlyBindNeedsRemount() {
        MountOptions o = MountOptions.parse(List.of("rbind", "ro"));
        assertEquals(MS_BIND | MS_REC | MS_RDONLY, o.flags());
        assertTrue(o.needsReadOnlyRemount());
        assertFalse(MountOptions.parse(List.of("bind", "rw")).needsReadOnlyRemount());
        assertFalse(MountOptions.parse(List.of("ro")).needsReadOnlyRemount());
    }

    @Test
    void propagationWordsGoToTheirOwnCall() {
        MountOptions o = MountOptions.parse(List.of("bind", "rprivate"));
        assertEquals(MS_BIND, o.flags());
        assertEquals(MS_PRIVATE | MS_REC, o.propagation());
        assertEquals(MS_SLAVE, MountOptions.parse(List.of("slave")).propagation());
        assertEquals(MS_SHARED | MS_REC, MountOptions.parse(List.of("rshared")).propagation());
        assertEquals("", o.data());
    }

    @Test
    void loopAndRemount() {
        assertTrue(MountOptions.parse(List.of("loop", "ro")).loop());
        MountOptions remount = MountOptions.parse(List.of("remount", "ro"));
        assertTrue(remount.isFlagsOnlyRemount());
        assertFalse(MountOptions.parse(List.of("remount", "size=10m")).isFlagsOnlyRemount());
    }

    @Test
    void defaultsIsNoFlagAndNotData() {
        MountOptions o = MountOptions.parse(List.of("defaults", "mode=755"));
        assertEquals(0, o.flags());
        assertEquals("mode=755", o.data());
    }
}
