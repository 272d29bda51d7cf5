// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import picocli.CommandLine.Option;

/** Options every command takes. */
public final class CommonOptions {

    @Option(names = "--json", description = "Print a machine-readable JSON summary on standard output.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress and no human summary.")
    boolean quiet;

    @Option(names = "--stacktrace", description = "On error, print the Java stack trace too.")
    boolean stacktrace;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads for compression and checking (default: all cores).")
    Integer threads;

    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
