// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.io.ProgressListener;

import java.io.PrintWriter;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Progress for logs and pipes (CI, {@code | tee}): whole lines on standard error, no carriage returns, a few a minute.
 * A phase says nothing for its first {@link #QUIET_NANOS} (short phases stay silent), then one line every
 * {@link #EVERY_NANOS}, and a last line when it ends if it said anything.
 */
final class LineProgress implements ProgressListener {

    static final long QUIET_NANOS = 15_000_000_000L;
    static final long EVERY_NANOS = 20_000_000_000L;

    private final PrintWriter err;
    private final LongSupplier nanoTime;
    private Runnable endOfPhase = () -> { };

    LineProgress(PrintWriter err, LongSupplier nanoTime) {
        this.err = err;
        this.nanoTime = nanoTime;
    }

    @Override
    public synchronized LongConsumer phase(String name, long totalBytes) {
        finish();
        long start = nanoTime.getAsLong();
        long[] next = {start + QUIET_NANOS};
        long[] last = {-1};
        boolean[] said = {false};
        endOfPhase = () -> {
            if (said[0] && last[0] >= 0) {
                line(name, totalBytes, last[0], start, true);
            }
        };
        return done -> {
            long now = nanoTime.getAsLong();
            synchronized (this) {
                last[0] = done;
                if (now - next[0] >= 0) {
                    next[0] = now + EVERY_NANOS;
                    said[0] = true;
                    line(name, totalBytes, done, start, false);
                }
            }
        };
    }

    private void line(String name, long totalBytes, long done, long start, boolean end) {
        double secs = Math.max(1e-3, (nanoTime.getAsLong() - start) / 1e9);
        StringBuilder sb = new StringBuilder("hydrapi: ").append(name).append(": ").append(mib(done));
        if (totalBytes > 0) {
            sb.append(" of ").append(mib(totalBytes)).append(String.format(" (%d%%)",
                    Math.min(100, done * 100 / totalBytes)));
        }
        sb.append(String.format(", %.1f MiB/s", done / secs / (1 << 20)));
        if (end) {
            sb.append(String.format(", done in %d:%02d", (long) secs / 60, (long) secs % 60));
        } else if (totalBytes > done && done > 0) {
            long eta = (long) ((totalBytes - done) / (done / secs));
            sb.append(String.format(", about %d:%02d left", eta / 60, eta % 60));
        }
        err.println(sb);
        err.flush();
    }

    /** Ends the current phase (its last line, if it printed any). */
    synchronized void finish() {
        endOfPhase.run();
        endOfPhase = () -> { };
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) (1 << 20));
    }
}
