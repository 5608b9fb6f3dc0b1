package io.jrunc.runc.task;

import io.jrunc.runc.process.InitProcess;
import java.nio.file.Path;

/**
 * One container served by this daemon.
 *
 * @param killAllOnExit the container shares a pid namespace, so its other processes are killed when init exits
 */
public record Container(String id, Path bundle, InitProcess init, boolean killAllOnExit) {}
