// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import hydrapi.testkit.Samples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * Only the command line speaks of flags. Outside {@code hydrapi.cli} messages name inputs ({@code about},
 * {@code mention}) and {@link InputOptions} turns each into its option; messages once told users to pass --admin-user,
 * --pin and --admin-email, which no command takes, and --key / --base-key or --insecure where the command had only one
 * or neither.
 */
class LibraryMessagesTest {

    private static final Path MAIN = Samples.projectDir().resolve("src/main/java/hydrapi");

    /** Commands of other programs that messages quote for the user to run; their flags are theirs. */
    private static final List<String> OTHER_PROGRAMS = List.of("xz --check=crc64",
            "gpg --armor --export-secret-keys KEYID", "gpg --armor --export KEYID", "gpg --show-keys",
            "gpg --detach-sign", "systemctl enable --now", "nix-store --serve --write");

    /** Methods whose input parameter is passed on to {@code about} or {@code mention}: their callers name it. */
    private static final Set<String> FORWARDING = Set.of("InvalidInputException.java: input",
            "trust/OpenPgpVerifier.java: input");

    /**
     * Comments, text blocks, string and character literals, in one pass as javac reads them. Group 1 is a string's
     * text: messages are one-line strings, while text blocks hold files written into the image (a unit file's comment
     * may say which option made it).
     */
    private static final Pattern LEXEMES = Pattern.compile("/\\*.*?\\*/|//[^\\n]*|\"\"\".*?\"\"\""
            + "|\"((?:\\\\.|[^\"\\\\\\n])*)\"|'(?:\\\\.|[^'\\\\\\n])+'", Pattern.DOTALL);

    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

    private static final Pattern NAMED_INPUT = Pattern.compile("\\b(?:about|mention)\\(\\s*([\\w.]+)\\s*[,)]");

    @Test
    void libraryStrings_nameNoOption() throws IOException {
        Set<String> found = new TreeSet<>();
        for (Path f : librarySources()) {
            Matcher m = LEXEMES.matcher(Files.readString(f));
            while (m.find()) {
                String text = m.group(1);
                if (text == null) {
                    continue;
                }
                for (String quoted : OTHER_PROGRAMS) {
                    text = text.replace(quoted, "");
                }
                Matcher g = FLAG.matcher(text);
                while (g.find()) {
                    found.add(MAIN.relativize(f) + ": " + g.group());
                }
                if (text.indexOf('\u2039') >= 0 || text.contains("\\u2039")) {
                    found.add(MAIN.relativize(f) + ": a mark written by hand instead of mention(...)");
                }
            }
        }
        assertEquals(Set.of(), found);
    }

    /** The inputs library code names are exactly those InputOptions maps: none unmapped, none stale. */
    @Test
    void inputsTheLibraryNames_areTheInputsMappedToOptions() throws Exception {
        Set<String> named = new TreeSet<>();
        List<String> unresolved = new ArrayList<>();
        for (Path f : librarySources()) {
            String code = LEXEMES.matcher(Files.readString(f))
                    .replaceAll(r -> r.group().startsWith("/") ? " " : Matcher.quoteReplacement(r.group()));
            Matcher m = NAMED_INPUT.matcher(code);
            while (m.find()) {
                String arg = m.group(1);
                String where = MAIN.relativize(f).toString();
                if (Character.isLowerCase(arg.charAt(0))) {
                    if (!FORWARDING.contains(where + ": " + arg)) {
                        unresolved.add(where + ": " + arg + " (not a constant; add the method to FORWARDING if its"
                                + " callers name the input)");
                    }
                    continue;
                }
                String value = constant(f, code, arg);
                if (value == null) {
                    unresolved.add(where + ": " + arg);
                } else {
                    named.add(value);
                }
            }
        }
        assertEquals(List.of(), unresolved);
        Set<String> unmapped = new TreeSet<>(named);
        unmapped.removeAll(InputOptions.inputs());
        assertEquals(Set.of(), unmapped, "named by library code, mapped to no option");
        Set<String> stale = new TreeSet<>(InputOptions.inputs());
        stale.removeAll(named);
        assertEquals(Set.of(), stale, "mapped to an option, named by no library code");
    }

    @Test
    void everyMappedOption_isAnOptionOfACommand() {
        CommandLine cl = new CommandLine(new Main(new HashMap<>(), false, new ByteArrayOutputStream(),
                new ByteArrayOutputStream()));
        Set<String> options = new TreeSet<>();
        cl.getCommandSpec().options().forEach(o -> options.addAll(Set.of(o.names())));
        // Nested commands too (fleet init).
        List<CommandLine> commands = new ArrayList<>(cl.getSubcommands().values());
        for (int i = 0; i < commands.size(); i++) {
            commands.addAll(commands.get(i).getSubcommands().values());
        }
        for (CommandLine sub : commands) {
            sub.getCommandSpec().options().forEach(o -> options.addAll(Set.of(o.names())));
        }
        Set<String> unknown = new TreeSet<>();
        for (String input : InputOptions.inputs()) {
            for (String option : InputOptions.option(input).split("/")) {
                if (!options.contains(option)) {
                    unknown.add(input + " -> " + option);
                }
            }
        }
        assertEquals(Set.of(), unknown);
    }

    private static List<Path> librarySources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java") && !p.startsWith(MAIN.resolve("cli"))).sorted()
                    .toList();
        }
    }

    /** The value of {@code NAME} (the file's own class) or {@code Type.NAME} (imported or in the same package). */
    private static String constant(Path file, String code, String expression) throws ReflectiveOperationException {
        String pkg = MAIN.getParent().relativize(file.getParent()).toString().replace('/', '.');
        int dot = expression.lastIndexOf('.');
        String type = dot < 0 ? file.getFileName().toString().replace(".java", "") : expression.substring(0, dot);
        Matcher imported = Pattern.compile("import\\s+([\\w.]+\\." + Pattern.quote(type) + ")\\s*;").matcher(code);
        String className = imported.find() ? imported.group(1) : pkg + "." + type;
        Object value = Class.forName(className).getField(expression.substring(dot + 1)).get(null);
        return value instanceof String s ? s : null;
    }
}
