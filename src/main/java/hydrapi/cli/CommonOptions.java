// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every command takes; --stacktrace and --threads may also come before the command. */
public final class CommonOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

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
        Main top = top();
        Integer n = threads != null ? threads : top != null ? top.threads : null;
        return n != null ? n : Runtime.getRuntime().availableProcessors();
    }

    private Main top() {
        CommandSpec parent = mixee == null ? null : mixee.parent();
        return parent != null && parent.userObject() instanceof Main m ? m : null;
    }
}
