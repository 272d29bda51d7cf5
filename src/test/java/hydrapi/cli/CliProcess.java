// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * hydrapi in a JVM of its own, for what an in-process run cannot show: signals, the umask, the locale's file-name
 * encoding. {@code umask} (octal, e.g. "022") is set by sh before java starts; null keeps the inherited one. SIGINT
 * is reset to its default first: a JVM started with it ignored (as a background job of a script is) would never see
 * Ctrl-C, whatever hydrapi does.
 */
final class CliProcess {

    private CliProcess() {
    }

    static ProcessBuilder builder(Map<String, String> env, String umask, Path log, String... args) {
        ProcessBuilder pb = new ProcessBuilder(command(umask, args)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("SOURCE_DATE_EPOCH", "1700000000");
        pb.environment().putAll(env);
        return pb;
    }

    /** The command line that runs hydrapi with {@code args}. */
    static List<String> command(String umask, String... args) {
        List<String> cmd = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        cmd.addAll(List.of("python3", "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
                + " os.umask(int(sys.argv[1], 8)) if sys.argv[1] else None; os.execv(sys.argv[2], sys.argv[2:])",
                umask == null ? "" : umask, java));
        cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), "hydrapi.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs to the end; returns the exit code (output in {@code log}). */
    static int run(Map<String, String> env, String umask, Path log, String... args)
            throws IOException, InterruptedException {
        return builder(env, umask, log, args).start().waitFor();
    }
}
