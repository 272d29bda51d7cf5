// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.io.ProgressListener;

import picocli.CommandLine.Model.CommandSpec;

import java.util.function.LongConsumer;

/**
 * Progress for one command on standard error, unless --quiet: drawn on one line when standard error is a terminal,
 * else (a pipe, a CI log) as whole lines, a few a minute ({@link LineProgress}). Closing it ends the progress so the
 * summary starts on a fresh line.
 */
final class ProgressScope implements ProgressListener, AutoCloseable {

    private final TerminalProgress terminal;
    private final LineProgress lines;

    private ProgressScope(TerminalProgress terminal, LineProgress lines) {
        this.terminal = terminal;
        this.lines = lines;
    }

    static ProgressScope open(Main main, CommonOptions common, CommandSpec spec) {
        if (common.quiet) {
            return new ProgressScope(null, null);
        }
        if (main.terminal) {
            return new ProgressScope(new TerminalProgress(spec.commandLine().getErr()), null);
        }
        return new ProgressScope(null, new LineProgress(spec.commandLine().getErr(), System::nanoTime));
    }

    @Override
    public LongConsumer phase(String name, long totalBytes) {
        if (terminal != null) {
            return terminal.phase(name, totalBytes);
        }
        return lines != null ? lines.phase(name, totalBytes) : done -> { };
    }

    @Override
    public void close() {
        if (terminal != null) {
            terminal.finish();
        }
        if (lines != null) {
            lines.finish();
        }
    }
}
