// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Samples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The README documents every option of every command (the brief: "README.md documents every option"). */
class ReadmeTest {

    @Test
    void readme_namesEveryOptionOfEveryCommand() throws IOException {
        String readme = Files.readString(Samples.projectDir().resolve("README.md"), StandardCharsets.UTF_8);
        CommandLine cl = new CommandLine(new Main(Map.of(), false, OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
        List<String> missing = new ArrayList<>();
        int seen = 0;
        // Nested commands too (fleet init): every command a user can run.
        List<CommandLine> commands = new ArrayList<>(cl.getSubcommands().values());
        for (int i = 0; i < commands.size(); i++) {
            commands.addAll(commands.get(i).getSubcommands().values());
        }
        for (CommandLine sub : commands) {
            for (CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) {
                String name = o.longestName();
                seen++;
                if (!readme.contains("`" + name) && !readme.contains(" " + name + " ") && !readme.contains("[" + name)) {
                    missing.add(sub.getCommandName() + " " + name);
                }
            }
        }
        assertEquals(List.of(), missing);
        assertTrue(seen > 40, "options seen: " + seen);
    }
}
