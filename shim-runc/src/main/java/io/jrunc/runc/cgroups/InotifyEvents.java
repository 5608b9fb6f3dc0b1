package io.jrunc.runc.cgroups;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Decoding what a read of an inotify fd returns: struct inotify_event {int wd; u32 mask, cookie, len; name[len]}. */
final class InotifyEvents {
    static final int HEADER_BYTES = 16;

    record Event(int watchDescriptor, int mask) {}

    private InotifyEvents() {}

    static List<Event> parse(byte[] buffer, int length) {
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, length).order(ByteOrder.nativeOrder());
        List<Event> events = new ArrayList<>();
        while (bytes.remaining() >= HEADER_BYTES) {
            int wd = bytes.getInt();
            int mask = bytes.getInt();
            bytes.getInt(); // cookie
            int nameLength = bytes.getInt();
            if (nameLength < 0 || nameLength > bytes.remaining()) {
                break; // the kernel never splits an event; a short buffer means nothing more to read
            }
            bytes.position(bytes.position() + nameLength);
            events.add(new Event(wd, mask));
        }
        return events;
    }
}
