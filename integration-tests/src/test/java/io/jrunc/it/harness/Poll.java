package io.jrunc.it.harness;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for something asynchronous (a daemon, an exit, a cleanup) with a deadline. */
public final class Poll {
    private Poll() {
    }

    /** True once {@code condition} holds, false if it still does not after {@code timeout}. */
    public static boolean until(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleepMs = 10;
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            sleep(sleepMs);
            sleepMs = Math.min(200, sleepMs * 2);
        }
    }

    /** Like {@link #until} but throws with {@code what} (computed lazily) when the time is up. */
    public static void require(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        if (!until(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout + ": " + what.get());
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
