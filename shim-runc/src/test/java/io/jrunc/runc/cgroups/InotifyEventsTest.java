package io.jrunc.runc.cgroups;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class InotifyEventsTest {

    private static void put(ByteBuffer b, int wd, int mask, String name) {
        byte[] bytes = name.getBytes();
        int padded = bytes.length == 0 ? 0 : (bytes.length + 1 + 15) / 16 * 16;
        b.putInt(wd).putInt(mask).putInt(0).putInt(padded);
        b.put(bytes);
        b.position(b.position() + padded - bytes.length);
    }

    @Test
    void recordsWithAndWithoutNamesAreSplit() {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        put(b, 1, 0x2, "");
        put(b, 7, 0x8000, "memory.events");
        put(b, 3, 0x2, "");

        List<InotifyEvents.Event> events = InotifyEvents.parse(b.array(), b.position());

        assertEquals(List.of(new InotifyEvents.Event(1, 0x2), new InotifyEvents.Event(7, 0x8000),
                new InotifyEvents.Event(3, 0x2)), events);
    }

    @Test
    void aTruncatedRecordEndsTheList() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        put(b, 1, 0x2, "");
        b.putInt(2).putInt(0x2).putInt(0).putInt(32); // claims a name that is not there

        assertEquals(List.of(new InotifyEvents.Event(1, 0x2)), InotifyEvents.parse(b.array(), b.position()));
    }
}
