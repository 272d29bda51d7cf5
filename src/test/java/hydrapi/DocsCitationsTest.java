// SPDX-License-Identifier: Apache-2.0
package hydrapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every design note the code cites resolves in the repository (house-style.md "Comments"): a citation
 * {@code NAME.md §N[.N…]} (also {@code docs/NAME.md}, lists such as {@code §1.3, §1.4} and ranges such as
 * {@code §4.3–4.5}, wrapped over comment lines) needs docs/NAME.md with a heading starting with that number
 * ({@code ## 6. …} or {@code ### 6.6 …}); {@code NAME.md, stage NN} needs a {@code ## Stage …} heading naming NN;
 * a mention of {@code docs/NAME.md} or of a lower-case hyphenated note name ({@code hydra-first-boot.md}) needs the
 * file. Upstream paths such as rpi-imager's {@code doc/os_customisation_formats.md} are not notes and are skipped.
 */
class DocsCitationsTest {

    private static final Path SELF = Path.of("src/test/java/hydrapi/DocsCitationsTest.java");
    private static final List<String> ROOTS = List.of("src/main", "src/test", "firstboot", "overlays", "testdata",
            "bench", ".ci", "docs", "README.md");

    /** A line break plus the next line's comment leader, so citations wrapped over comment lines read as one. */
    private static final Pattern CONTINUATION = Pattern.compile("\\R[ \\t]*(?:\\*(?!/)|//|#|--)?[ \\t]*");
    private static final String NUMBER = "\\d+(?:\\.\\d+)*";
    /** After NAME.md: one or more section numbers, in lists ("§1.3, §1.4 and §1.10") and ranges ("§4.3–4.5"). */
    private static final String SEPARATOR = "(?:\\s*[,;]\\s*(?:and\\s+)?|\\s+and\\s+|\\s+)";
    private static final Pattern SECTIONS = Pattern.compile(
            "\\)?((?:" + SEPARATOR + "§\\s?" + NUMBER + "(?:\\s*[–-]\\s*" + NUMBER + ")?)+)");
    private static final Pattern SECTION = Pattern.compile("§\\s?(" + NUMBER + ")(?:\\s*[–-]\\s*(" + NUMBER + "))?");
    /** After NAME.md: ", stage 05" or ", stages 08 and 10". */
    private static final Pattern STAGES = Pattern.compile(",\\s+stages?\\s+(\\d\\d(?:\\s*(?:,|and)\\s*\\d\\d)*)");
    /** The form of every note's name: lower case, hyphenated. */
    private static final Pattern NOTE_NAME = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)+");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}[ \\t]+(.+?)[ \\t]*$", Pattern.MULTILINE);

    @Test
    void citations_resolveInDocs() throws IOException {
        Path root = Samples.projectDir();
        Map<String, List<String>> docs = headings(root.resolve("docs"));
        List<String> problems = new ArrayList<>();
        int[] citations = {0};
        for (String r : ROOTS) {
            Path start = root.resolve(r);
            if (!Files.exists(start)) {
                problems.add(r + ": missing (the scanned roots changed; update ROOTS)");
                continue;
            }
            try (Stream<Path> files = Files.walk(start)) {
                // This file's own examples cite notes that do not exist, on purpose.
                for (Path f : files.filter(p -> Files.isRegularFile(p) && !p.endsWith(SELF)).sorted().toList()) {
                    String text = text(f);
                    if (text != null && text.contains(".md")) {
                        citations[0] += check(root.relativize(f).toString(), text, docs, problems);
                    }
                }
            }
        }
        assertEquals(List.of(), problems, "unresolved note citations");
        assertTrue(citations[0] > 100, "citations found: " + citations[0] + "; the patterns no longer match the code");
    }

    @Test
    void check_reportsMissingFileSectionAndStage() {
        Map<String, List<String>> docs = Map.of("notes", List.of("Notes", "6. First boot", "6.6 Power loss",
                "Stage 08 and 10: pg_hba"));
        List<String> problems = new ArrayList<>();
        int n = check("a.java", """
                // fine: notes.md §6, §6.6; docs/notes.md §6.6; notes.md, stages 08 and 10
                /* wrapped: notes.md §6.6,
                 * §6.7 and elsewhere.md §1.2. */
                # notes.md, stage 09; see missing-note.md; upstream doc/other-file.md is not a note
                # range notes.md §6.6–6.8
                """, docs, problems);
        assertEquals(List.of(
                "a.java: notes.md §6.7: docs/notes.md has no heading starting with 6.7",
                "a.java: elsewhere.md §1.2: docs/elsewhere.md does not exist",
                "a.java: notes.md, stage 09: docs/notes.md has no \"Stage\" heading naming 09",
                "a.java: missing-note.md: docs/missing-note.md does not exist",
                "a.java: notes.md §6.8: docs/notes.md has no heading starting with 6.8"), problems);
        assertEquals(13, n);
    }

    /** Checks one file's text; adds a line per problem and returns how many citations and mentions it held. */
    static int check(String where, String text, Map<String, List<String>> docs, List<String> problems) {
        int count = 0;
        // Found from each ".md" outwards (a pattern searching for names would try every word of the file); a name
        // never wraps, the list after it may, over comment lines.
        for (int dot = text.indexOf(".md"); dot >= 0; dot = text.indexOf(".md", dot + 3)) {
            int after = dot + 3;
            if (after < text.length() && isNameChar(text.charAt(after))) {
                continue;
            }
            int start = dot;
            while (start > 0 && isNameChar(text.charAt(start - 1))) {
                start--;
            }
            boolean inDocs = start >= 5 && text.startsWith("docs/", start - 5);
            if (start == dot || !inDocs && start > 0 && "./".indexOf(text.charAt(start - 1)) >= 0) {
                continue;
            }
            String note = text.substring(start, dot);
            List<String> heads = docs.get(note);
            String missing = "docs/" + note + ".md does not exist";
            String rest = CONTINUATION.matcher(text.substring(after, Math.min(text.length(), after + 400)))
                    .replaceAll(" ");
            Matcher m = SECTIONS.matcher(rest);
            if (m.lookingAt()) {
                Matcher s = SECTION.matcher(m.group(1));
                while (s.find()) {
                    for (String number : new String[] {s.group(1), s.group(2)}) {
                        if (number == null) {
                            continue;
                        }
                        count++;
                        String cited = where + ": " + note + ".md §" + number + ": ";
                        if (heads == null) {
                            problems.add(cited + missing);
                        } else if (heads.stream().noneMatch(h -> startsWithNumber(h, number))) {
                            problems.add(cited + "docs/" + note + ".md has no heading starting with " + number);
                        }
                    }
                }
            }
            m = STAGES.matcher(rest);
            if (m.lookingAt()) {
                for (String stage : m.group(1).split("\\s*(?:,|and)\\s*")) {
                    count++;
                    String cited = where + ": " + note + ".md, stage " + stage + ": ";
                    if (heads == null) {
                        problems.add(cited + missing);
                    } else if (heads.stream().noneMatch(h -> namesStage(h, stage))) {
                        problems.add(cited + "docs/" + note + ".md has no \"Stage\" heading naming " + stage);
                    }
                }
            }
            if (inDocs || NOTE_NAME.matcher(note).matches()) {
                count++;
                if (heads == null) {
                    problems.add(where + ": " + note + ".md: " + missing);
                }
            }
        }
        return count;
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    /** {@code ## 6. Title} or {@code ### 6.6 Title} starts with 6 and 6.6 respectively; 6.6 does not start with 6. */
    static boolean startsWithNumber(String heading, String number) {
        return heading.matches(Pattern.quote(number) + "\\.?(?:\\s.*)?");
    }

    /** {@code Stage 08 and 10: …} names stages 08 and 10. */
    static boolean namesStage(String heading, String stage) {
        Matcher m = Pattern.compile("^Stages?\\s+([^:]*)").matcher(heading);
        return m.find() && Pattern.compile("\\b" + stage + "\\b").matcher(m.group(1)).find();
    }

    /** Headings of each docs/*.md, by note name. */
    private static Map<String, List<String>> headings(Path docs) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(docs)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".md")).toList()) {
                String name = f.getFileName().toString();
                List<String> heads = new ArrayList<>();
                Matcher m = HEADING.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) {
                    heads.add(m.group(1));
                }
                out.put(name.substring(0, name.length() - 3), heads);
            }
        }
        return out;
    }

    /** The file as text, or null for a binary one (a NUL byte) such as the sample image. */
    private static String text(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        for (byte x : b) {
            if (x == 0) {
                return null;
            }
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
