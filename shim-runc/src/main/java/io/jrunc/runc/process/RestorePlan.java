package io.jrunc.runc.process;

import io.jrunc.runc.cli.CriuOptions;
import java.nio.file.Path;

/**
 * How Start brings up a container created from a checkpoint: {@code runc restore} instead of {@code runc start}.
 *
 * @param criu the checkpoint (image path), criu's work path, and the parent checkpoint if any
 * @param bundle the container's bundle
 * @param pidFile {@code <bundle>/init.pid}
 * @param noPivot the runc option NoPivotRoot
 */
public record RestorePlan(CriuOptions criu, Path bundle, Path pidFile, boolean noPivot) {}
