// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.build.ProgressListener;

import picocli.CommandLine.Model.CommandSpec;

import java.util.function.LongConsumer;

/**
 * Progress for one command: drawn on the terminal when standard error is one and --quiet is off, else silent;
 * closing it ends the progress line so the summary starts on a fresh one.
 */
final class ProgressScope implements ProgressListener, AutoCloseable {

    private final TerminalProgress terminal;

    private ProgressScope(TerminalProgress terminal) {
        this.terminal = terminal;
    }

    static ProgressScope open(Main main, CommonOptions common, CommandSpec spec) {
        boolean draw = main.terminal && !common.quiet;
        return new ProgressScope(draw ? new TerminalProgress(spec.commandLine().getErr()) : null);
    }

    @Override
    public LongConsumer phase(String name, long totalBytes) {
        return terminal == null ? done -> { } : terminal.phase(name, totalBytes);
    }

    @Override
    public void close() {
        if (terminal != null) {
            terminal.finish();
        }
    }
}
