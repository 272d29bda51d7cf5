// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs hydrapi in-process, as the jar's main would, capturing its output. */
final class Cli {

    record Run(int exitCode, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private Cli() {
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.execute(args, out, err, env, false);
        return new Run(rc, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("SOURCE_DATE_EPOCH", "1700000000");
        return run(env, args);
    }
}
