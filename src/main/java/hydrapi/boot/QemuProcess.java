// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One running QEMU: its serial console (stdout) read by a thread into a {@link ConsoleWatch}, its stderr kept for
 * error messages, its QMP socket for a clean power-down. Whatever happens, {@link #close()} (and a shutdown hook, for
 * a JVM stopped by a signal) kills it: no QEMU outlives try.
 */
final class QemuProcess implements AutoCloseable {

    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path qmpSocket;
    private final Thread hook;
    private final Thread consolePump;
    private final Thread errorPump;
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final CompletableFuture<Ending> ending = new CompletableFuture<>();
    private volatile IOException consoleProblem;

    private QemuProcess(Process process, Path qmpSocket, ConsoleWatch watch) {
        this.process = process;
        this.qmpSocket = qmpSocket;
        this.hook = new Thread(process::destroyForcibly, "hydrapi-try-kill-qemu");
        Runtime.getRuntime().addShutdownHook(hook);
        this.consolePump = new Thread(() -> pumpConsole(watch), "hydrapi-try-console");
        this.errorPump = new Thread(this::pumpErrors, "hydrapi-try-qemu-stderr");
        consolePump.setDaemon(true);
        errorPump.setDaemon(true);
        consolePump.start();
        errorPump.start();
    }

    static QemuProcess start(List<String> command, Path qmpSocket, ConsoleWatch watch) throws IOException {
        // stdin stays an open pipe nobody writes: QEMU's stdio chardev would otherwise see end of file.
        Process p = new ProcessBuilder(command).start();
        return new QemuProcess(p, qmpSocket, watch);
    }

    private void pumpConsole(ConsoleWatch watch) {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                Optional<Ending> e = watch.accept(buf, 0, n);
                if (e.isPresent()) {
                    if (e.get() == Ending.POWER_CUT) {
                        // As close to the text as this thread can get: no shutdown, no flush of the guest's caches.
                        process.destroyForcibly();
                    }
                    ending.complete(e.get());
                }
            }
            watch.flush();
        } catch (IOException e) {
            consoleProblem = e;
        }
        ending.complete(Ending.EXITED);
    }

    private void pumpErrors() {
        try (InputStream in = process.getErrorStream()) {
            in.transferTo(stderr);
        } catch (IOException ignored) {
            // QEMU is gone; what it said is kept
        }
    }

    /** Waits for the first ending the console shows, QEMU's exit, or the timeout. */
    Ending await(Duration timeout) throws InterruptedException {
        try {
            return ending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Ending.TIMEOUT;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * ACPI power button (QMP system_powerdown) and {@code grace} for the guest to shut down; then QMP quit (QEMU
     * writes out what the guest had sent, like pulling the plug); then SIGKILL. Returns whether the guest powered
     * off by itself.
     */
    boolean powerDown(Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            return true;
        }
        boolean asked = qmp("system_powerdown");
        if (asked && process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return true;
        }
        qmp("quit");
        if (!process.waitFor(QMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(QMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        return false;
    }

    /** One QMP command in a thread of its own, so a QEMU that does not answer cannot block try. */
    private boolean qmp(String command) throws InterruptedException {
        if (!Files.exists(qmpSocket)) {
            return false;
        }
        CompletableFuture<Boolean> f = CompletableFuture.supplyAsync(() -> {
            try (Qmp q = Qmp.connect(qmpSocket)) {
                q.execute(command);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        try {
            return f.get(QMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            f.cancel(true);
            return false;
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitValue() {
        return process.exitValue();
    }

    /** What QEMU wrote to stderr (its errors), trimmed. */
    String errors() {
        synchronized (stderr) {
            return stderr.toString(StandardCharsets.UTF_8).strip();
        }
    }

    IOException consoleProblem() {
        return consoleProblem;
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            process.waitFor(QMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            consolePump.join(QMP_TIMEOUT.toMillis());
            errorPump.join(QMP_TIMEOUT.toMillis());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down; the hook runs
            }
        }
    }
}
