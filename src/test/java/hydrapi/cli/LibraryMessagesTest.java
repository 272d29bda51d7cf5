// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hydrapi.testkit.Samples;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * Every "--option" a message outside the command line mentions is one that exists (messages once told users to pass
 * --admin-user, --pin and --admin-email, which no command takes), or a flag of the other program it names.
 */
class LibraryMessagesTest {

    /** Flags of gpg, xz, systemctl, ... that messages quote as commands to run. */
    private static final Set<String> OTHER_PROGRAMS = Set.of("--armor", "--export", "--export-secret-keys",
            "--show-keys", "--detach-sign", "--check", "--now");

    @Test
    void optionsNamedInLibraryStrings_exist() throws Exception {
        CommandLine cl = new CommandLine(new Main(new HashMap<>(), false, new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
        Set<String> options = new TreeSet<>();
        cl.getCommandSpec().options().forEach(o -> options.addAll(Set.of(o.names())));
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().options().forEach(o -> options.addAll(Set.of(o.names())));
        }
        Pattern literal = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
        Pattern flag = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");
        Set<String> unknown = new TreeSet<>();
        Path main = Samples.projectDir().resolve("src/main/java/hydrapi");
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(main.resolve("cli")))
                    .toList()) {
                Matcher m = literal.matcher(Files.readString(f));
                while (m.find()) {
                    Matcher g = flag.matcher(m.group(1));
                    while (g.find()) {
                        if (!options.contains(g.group()) && !OTHER_PROGRAMS.contains(g.group())) {
                            unknown.add(main.relativize(f) + ": " + g.group());
                        }
                    }
                }
            }
        }
        assertEquals(Set.of(), unknown);
    }
}
