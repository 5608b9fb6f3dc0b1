package io.jrunc.runc.io;

import java.time.Duration;
import java.util.Map;

/** No stdio at all: runc and the container get /dev/null (the reaper's default for unnamed fds). */
public final class NullIo implements ProcessIo {
    @Override
    public Map<Integer, Integer> childFds() {
        return Map.of();
    }

    @Override
    public void afterSpawn() {}

    @Override
    public void start() {}

    @Override
    public boolean awaitOutputDrained(Duration timeout) {
        return true;
    }

    @Override
    public void closeStdin() {}

    @Override
    public void close() {}
}
