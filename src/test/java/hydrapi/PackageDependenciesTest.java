// SPDX-License-Identifier: Apache-2.0
package hydrapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Data flows one way (house-style.md "Packages"): each package uses only the packages listed here, by import or by
 * a fully qualified name. The root package (the exception hierarchy) is open to all and uses none.
 */
class PackageDependenciesTest {

    private static final Path SRC = Path.of("src/main/java/hydrapi");

    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("io", Set.of()),
            Map.entry("disk", Set.of("io")),
            Map.entry("fat", Set.of("io")),
            Map.entry("ext4", Set.of("io")),
            Map.entry("plan", Set.of()),
            Map.entry("recipe", Set.of("plan", "fleet")),
            Map.entry("xz", Set.of("io")),
            Map.entry("json", Set.of()),
            Map.entry("trust", Set.of("json")),
            // A server and its builders, with the keys between them: knows Nix's and SSH's formats, not images.
            Map.entry("fleet", Set.of("json")),
            // The image read model: a base opened (decoded to a sparse scratch file) and its partitions by mount point.
            Map.entry("image", Set.of("io", "disk", "fat", "ext4", "xz")),
            // Where a base and pinned sources come from: the OS list, downloads, checked against trust's sidecars.
            Map.entry("source", Set.of("io", "json", "recipe", "trust")),
            Map.entry("verify", Set.of("io", "disk", "fat", "ext4", "xz", "trust", "image")),
            Map.entry("assemble", Set.of("io", "disk", "fat", "ext4", "plan", "recipe", "xz", "trust", "image",
                    "source")),
            // QEMU trial boots: reads images through image's views and first boot's on-disk paths; writes nothing
            // into an image.
            Map.entry("boot", Set.of("io", "ext4", "xz", "image")),
            Map.entry("cli", Set.of("io", "json", "image", "source", "verify", "assemble", "recipe", "plan",
                    "trust", "boot", "fleet")));

    /** A package named where code may name one: an import (static or not) or a fully qualified name. */
    private static final Pattern USE = Pattern.compile("(?<![\\w.])hydrapi\\.([a-z]\\w*)\\.");

    /** Comments, string and character literals: text that names a package without using it. */
    private static final Pattern NOT_CODE = Pattern.compile("/\\*.*?\\*/|//[^\\n]*|\"\"\".*?\"\"\""
            + "|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])+'", Pattern.DOTALL);

    @Test
    void uses_followTheOneWayFlow() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path f : sources()) {
            Path rel = SRC.relativize(f);
            String pkg = rel.getNameCount() < 2 ? "" : rel.getName(0).toString();
            Set<String> allowed = pkg.isEmpty() ? Set.of() : ALLOWED.get(pkg);
            if (allowed == null) {
                violations.add(rel + ": package " + pkg + " is not in the table");
                continue;
            }
            for (String used : uses(Files.readString(f))) {
                if (!used.equals(pkg) && !allowed.contains(used)) {
                    violations.add(rel + " uses hydrapi." + used);
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    /** The table itself is layered: no package reaches itself through what it may use, and each one exists. */
    @Test
    void table_isAcyclicAndCurrent() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String pkg : new TreeSet<>(ALLOWED.keySet())) {
            if (reachable(pkg).contains(pkg)) {
                problems.add(pkg + " can reach itself");
            }
            if (!Files.isDirectory(SRC.resolve(pkg))) {
                problems.add(pkg + " is in the table but not in " + SRC);
            }
            for (String used : ALLOWED.get(pkg)) {
                if (!ALLOWED.containsKey(used)) {
                    problems.add(pkg + " may use " + used + ", which is not in the table");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** The uses a check found in a file: a planted violation would be seen (the checker checked). */
    @Test
    void uses_seeImportsAndQualifiedNamesButNotComments() {
        String java = """
                package hydrapi.io;

                import hydrapi.InvalidInputException;
                import hydrapi.plan.FileSpec;
                import static hydrapi.recipe.Pin.parse;

                /** See {@link hydrapi.cli.Main}. */
                class X {
                    // hydrapi.boot.TrialBoot would be wrong here
                    String s = "hydrapi.trust.Json";
                    Object o = hydrapi.xz.XzFile.class;
                }
                """;
        assertEquals(Set.of("plan", "recipe", "xz"), uses(java));
    }

    private static Set<String> uses(String java) {
        Set<String> used = new TreeSet<>();
        Matcher m = USE.matcher(NOT_CODE.matcher(java).replaceAll(" "));
        while (m.find()) {
            used.add(m.group(1));
        }
        return used;
    }

    private static Set<String> reachable(String from) {
        Set<String> seen = new HashSet<>();
        List<String> todo = new ArrayList<>(ALLOWED.getOrDefault(from, Set.of()));
        while (!todo.isEmpty()) {
            String p = todo.remove(todo.size() - 1);
            if (seen.add(p)) {
                todo.addAll(ALLOWED.getOrDefault(p, Set.of()));
            }
        }
        return seen;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(SRC)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }
}
