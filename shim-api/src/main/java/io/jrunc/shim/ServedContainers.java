package io.jrunc.shim;

import java.nio.file.Path;

/** Told which containers a daemon serves: each successful Create of a task, and each Delete of one. */
interface ServedContainers {
    void created(String id, Path bundle);

    void deleted(String id);
}
