package io.herald.launch;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An application server run as a child process: started, awaited until it answers, and stopped the way an
 * init system stops it (SIGTERM, then SIGKILL if it does not exit in time) or killed outright. Shared by
 * the process tests and the benchmark, so that both start servers the same way.
 */
public abstract class ServerProcess implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

    protected Process process;

    /** Starts the process; returns at once. */
    public abstract void launch() throws Exception;

    /** Where the server's console output goes. */
    public abstract Path log();

    /** The server's JVM (for WildFly not the script that started it), or -1 before it is known. */
    public abstract long jvmPid();

    /** The process this object started (for WildFly the start script), or -1 before {@link #launch}. */
    public long processPid() {
        return process == null ? -1 : process.pid();
    }

    /** Launches, then waits until {@code ready} answers true. */
    public void start(Duration timeout, BooleanSupplier ready) throws Exception {
        launch();
        awaitReady(timeout, ready);
    }

    /** Waits until {@code ready} answers true; fails if the process exits or the timeout passes first. */
    public void awaitReady(Duration timeout, BooleanSupplier ready) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name() + " exited with " + process.exitValue() + "; see " + log());
            }
            if (ready.getAsBoolean()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name() + " did not answer within " + timeout + "; see " + log());
    }

    /** SIGKILL to the server and what it started: no chance to flush or shut down. */
    public void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, as an init system stops a server, and waits until the server's JVM has exited; false if it
     * was still running after the timeout (then it is still running).
     */
    public boolean stop(Duration timeout) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                && tree.stream().noneMatch(ProcessHandle::isAlive);
    }

    /** Stops the server: SIGTERM, then SIGKILL for whatever is still running after a grace period. */
    @Override
    public void close() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        if (process.isAlive() && !stop(STOP_TIMEOUT)) {
            kill();
        }
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    protected abstract String name();
}
