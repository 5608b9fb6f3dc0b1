package io.jrunc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SamplesTest {

    private static Samples of(double... values) {
        Samples s = new Samples();
        for (double v : values) {
            s.add(v);
        }
        return s;
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3.0, of(5, 1, 3).median());
        assertEquals(2.5, of(4, 1, 3, 2).median());
        assertEquals(7.0, of(7).median());
    }

    @Test
    void nearestRankPercentiles() {
        Samples s = of(10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
        assertEquals(9.0, s.percentile(0.90));
        assertEquals(10.0, s.percentile(0.99));
        assertEquals(1.0, s.percentile(0.0), "p0 is the minimum (the worst throughput)");
        assertEquals(10.0, s.percentile(1.0));
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalStateException.class, () -> new Samples().median());
    }

    @Test
    void ratioIsJavaOverGoOfMedians() {
        ResultRow row = new ResultRow("x", Measurement.Value.of(of(100, 200, 300), 0.9, ""),
                Measurement.Value.of(of(1500), 0.9, ""));
        assertEquals("7.50", row.ratio());
        assertEquals("", new ResultRow("x", new Measurement.NotAvailable("UNIMPLEMENTED"),
                Measurement.Value.single(1, "")).ratio());
    }
}
