// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class ShellScriptsTest {

    /** Files with a shell shebang or a "shellcheck shell=" directive, under firstboot/ and overlays/. */
    static List<Path> shellFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("firstboot", "overlays")) {
            try (Stream<Path> s = Files.walk(Path.of(dir))) {
                for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                    String head = Files.readString(p, StandardCharsets.UTF_8).lines().limit(3)
                            .reduce("", (a, b) -> a + b + "\n");
                    if (head.matches("(?s)#!\\S*(/sh|/bash|env bash|env sh)\\b.*") || head.contains("shellcheck shell=")) {
                        out.add(p);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void shellcheck_passesOnEveryShellFile() throws Exception {
        List<Path> files = shellFiles();
        // run, lib.sh, hydra-prestart, 14 stages, profile.d/hydra.sh, the motd script.
        assertEquals(3 + FirstbootFiles.STAGES.size() + 2, files.size(), files.toString());
        List<String> cmd = new ArrayList<>(List.of("shellcheck", "-x", "--severity=style"));
        files.forEach(f -> cmd.add(f.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("shellcheck is missing: apt-get install shellcheck (" + e.getMessage() + ")");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.isBlank(), out);
    }

    @Test
    void stages_setStrictModeAndNamesFollowTheConvention() throws Exception {
        for (String stage : FirstbootFiles.STAGES) {
            assertTrue(stage.matches("\\d\\d-[a-z]+-[a-z-]+"), stage);
            String body = Files.readString(Path.of("firstboot/stages/" + stage + ".sh"));
            assertTrue(body.contains("\nset -Eeuo pipefail\n"), stage);
        }
        assertTrue(Files.readString(Path.of("firstboot/run")).contains("\nset -Eeuo pipefail\n"));
    }
}
