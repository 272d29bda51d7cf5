// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.io.ProgressListener;

import java.io.PrintWriter;
import java.util.function.LongConsumer;

/**
 * Progress on one terminal line of standard error (bytes, rate, ETA), redrawn at most five times a second.
 * Used only when standard error is a terminal and --quiet is off, so logs and pipes stay clean.
 */
final class TerminalProgress implements ProgressListener {

    private final PrintWriter err;
    private boolean drawn;

    TerminalProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized LongConsumer phase(String name, long totalBytes) {
        finish();
        long start = System.nanoTime();
        long[] last = {0};
        return done -> {
            long now = System.nanoTime();
            if (now - last[0] < 200_000_000L) {
                return;
            }
            last[0] = now;
            double secs = Math.max(1e-3, (now - start) / 1e9);
            double rate = done / secs;
            StringBuilder sb = new StringBuilder("\r").append(name).append(": ").append(mib(done));
            if (totalBytes > 0) {
                sb.append(" / ").append(mib(totalBytes))
                        .append(String.format(" (%d%%)", Math.min(100, done * 100 / totalBytes)));
                if (rate > 0 && done < totalBytes) {
                    long eta = (long) ((totalBytes - done) / rate);
                    sb.append(String.format(" ETA %d:%02d", eta / 60, eta % 60));
                }
            }
            sb.append(String.format(" %.1f MiB/s   ", rate / (1 << 20)));
            synchronized (this) {
                err.print(sb);
                err.flush();
                drawn = true;
            }
        };
    }

    synchronized void finish() {
        if (drawn) {
            err.println();
            err.flush();
            drawn = false;
        }
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (double) (1 << 20));
    }
}
