package io.jrunc.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonSlotsTest {
    @TempDir
    Path tmp;

    @Test
    void placesAreTakenInOrderUpToTheMaximumAndGivenBack() throws Exception {
        DaemonSlots slots = DaemonSlots.of(tmp.resolve("sock"));
        assertEquals(OptionalInt.of(0), slots.reserve("a", 2));
        assertEquals(OptionalInt.of(1), slots.reserve("b", 2));
        assertEquals(OptionalInt.empty(), slots.reserve("c", 2), "full");
        assertEquals(OptionalInt.of(0), slots.reserve("a", 2), "a holds its place");
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(slots.directory())));

        slots.release("a");
        assertEquals(OptionalInt.of(0), slots.reserve("c", 2));
        assertEquals(Map.of(0, "c", 1, "b"), slots.holders());
        slots.release("unknown"); // nothing held: nothing happens
        assertEquals(2, slots.holders().size());
    }

    @Test
    void racingReservationsNeverShareAPlaceNorExceedTheMaximum() throws Exception {
        DaemonSlots slots = DaemonSlots.of(tmp.resolve("sock"));
        int racers = 64;
        int max = 10;
        CountDownLatch go = new CountDownLatch(1);
        Map<Integer, String> won = new ConcurrentHashMap<>();
        List<Future<OptionalInt>> results = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (int i = 0; i < racers; i++) {
                String id = "c" + i;
                results.add(pool.submit(() -> {
                    go.await();
                    OptionalInt place = slots.reserve(id, max);
                    place.ifPresent(p -> assertEquals(null, won.put(p, id), "place " + p + " taken twice"));
                    return place;
                }));
            }
            go.countDown();
            int placed = 0;
            for (Future<OptionalInt> result : results) {
                placed += result.get().isPresent() ? 1 : 0;
            }
            assertEquals(max, placed);
        }
        assertEquals(won, slots.holders());
    }

    @Test
    void staleReservationsOfContainersNotServedAreSwept() throws Exception {
        DaemonSlots slots = DaemonSlots.of(tmp.resolve("sock"));
        slots.reserve("served", 4);
        slots.reserve("never-created", 4);
        slots.reserve("just-reserved", 4);
        Instant now = Instant.now();
        FileTime old = FileTime.from(now.minus(Duration.ofMinutes(10)));
        for (String link : List.of("0", "1")) {
            Files.getFileAttributeView(slots.directory().resolve(link), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(old, old, old);
        }
        slots.releaseStale(Set.of("served"), DaemonSlots.STALE_RESERVATION, now);
        assertEquals(Map.of(0, "served", 2, "just-reserved"), slots.holders());
    }

    @Test
    void theDirectoryGoesOnlyWhenEmpty() throws Exception {
        DaemonSlots slots = DaemonSlots.of(tmp.resolve("sock"));
        slots.reserve("a", 1);
        slots.removeIfEmpty();
        assertTrue(Files.isDirectory(slots.directory()));
        slots.release("a");
        slots.removeIfEmpty();
        assertFalse(Files.exists(slots.directory()));
        assertEquals(OptionalInt.of(0), slots.reserve("b", 1), "made again by the next reservation");
    }
}
