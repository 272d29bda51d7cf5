// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetCommandTest {

    @TempDir
    Path tmp;

    @Test
    void init_writesTheFleet_andSaysItHoldsSecrets() throws IOException {
        Path dir = tmp.resolve("fleet");
        Cli.Run r = Cli.run("fleet", "init", dir.toString(), "--server", "hydra", "--builder", "b1", "--builder", "b2",
                "--max-jobs", "3");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.out().contains("do not publish images built from it"), r.out());
        Oracles.check("jq", "-e", ".server == \"hydra\" and (.builders | map(.max_jobs)) == [3, 3]"
                + " and .builders[0].systems == [\"aarch64-linux\"]", dir.resolve("fleet.json").toString());
    }

    @Test
    void init_refusals_areOneLineExit2_andLeaveNothing() throws IOException {
        for (String[] args : new String[][] {
                {"--server", "hydra", "--builder", "hydra"},
                {"--server", "hydra", "--builder", "b 1"},
                {"--server", "hydra", "--builder", "b1", "--system", "arm64"},
                {"--server", "hydra", "--builder", "b1", "--max-jobs", "0"},
                {"--server", "hydra"}}) {
            String[] argv = new String[args.length + 3];
            argv[0] = "fleet";
            argv[1] = "init";
            argv[2] = tmp.resolve("f").toString();
            System.arraycopy(args, 0, argv, 3, args.length);
            Cli.Run r = Cli.run(argv);
            assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + r.stderr());
            // One line; picocli's own usage errors add its "Try ... --help" hint, as for every command.
            String[] lines = r.stderr().strip().split("\n");
            assertTrue(lines[0].startsWith("hydrapi: ") && (lines.length == 1 || lines.length == 2
                    && lines[1].startsWith("Try 'hydrapi fleet init --help'")), r.stderr());
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(0, s.count(), String.join(" ", args));
            }
        }
    }
}
