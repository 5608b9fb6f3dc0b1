package io.jrunc.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrunc.posix.SpawnPlan.ChangeDirectory;
import io.jrunc.posix.SpawnPlan.Close;
import io.jrunc.posix.SpawnPlan.CloseFrom;
import io.jrunc.posix.SpawnPlan.Dup;
import io.jrunc.posix.SpawnPlan.OpenDevNull;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpawnPlanTest {

    @Test
    void nothingNamedGivesDevNullStdioAndClosesTheRest() {
        SpawnPlan plan = SpawnPlan.of(Map.of(), Optional.empty());
        assertEquals(List.of(new OpenDevNull(0), new OpenDevNull(1), new OpenDevNull(2), new CloseFrom(3)), plan.actions());
    }

    @Test
    void sameFdIsCopiedThroughATemporarySoCloseOnExecIsCleared() {
        SpawnPlan plan = SpawnPlan.of(Map.of(3, 3), Optional.of(Path.of("/b")));
        assertEquals(List.of(new ChangeDirectory(Path.of("/b")), new Dup(3, 4), new Dup(4, 3),
                new OpenDevNull(0), new OpenDevNull(1), new OpenDevNull(2), new CloseFrom(4)), plan.actions());
    }

    @Test
    void swappedFdsDoNotClobberEachOther() {
        SpawnPlan plan = SpawnPlan.of(Map.of(1, 2, 2, 1), Optional.empty());
        assertEquals(List.of(new Dup(2, 3), new Dup(1, 4), new Dup(3, 1), new Dup(4, 2),
                new OpenDevNull(0), new CloseFrom(3)), plan.actions());
    }

    @Test
    void gapsBelowTheHighestTargetAreClosed() {
        SpawnPlan plan = SpawnPlan.of(Map.of(5, 40), Optional.empty());
        assertEquals(List.of(new Dup(40, 41), new Dup(41, 5), new OpenDevNull(0), new OpenDevNull(1),
                new OpenDevNull(2), new Close(3), new Close(4), new CloseFrom(6)), plan.actions());
    }

    @Test
    void negativeFdsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SpawnPlan.of(Map.of(1, -1), Optional.empty()));
    }
}
