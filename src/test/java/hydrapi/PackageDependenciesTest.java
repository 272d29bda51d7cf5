// SPDX-License-Identifier: Apache-2.0
package hydrapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Data flows one way (shared docs, house-style.md "Packages"): each package imports only the packages listed here.
 * The root package (the exception hierarchy) is open to all.
 */
class PackageDependenciesTest {

    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "io", Set.of(),
            "disk", Set.of("io"),
            "fat", Set.of("io"),
            "ext4", Set.of("io"),
            "plan", Set.of(),
            "recipe", Set.of("plan"),
            "xz", Set.of("io"),
            "trust", Set.of(),
            "build", Set.of("io", "disk", "fat", "ext4", "plan", "recipe", "xz", "trust"),
            "cli", Set.of("build", "recipe", "plan", "trust"));

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?hydrapi\\.(\\w+)\\.", Pattern.MULTILINE);

    @Test
    void imports_followTheOneWayFlow() throws IOException {
        Path src = Path.of("src/main/java/hydrapi");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                Path rel = src.relativize(f);
                if (rel.getNameCount() < 2) {
                    continue;
                }
                String pkg = rel.getName(0).toString();
                Set<String> allowed = ALLOWED.get(pkg);
                if (allowed == null) {
                    violations.add(rel + ": package " + pkg + " is not in the table");
                    continue;
                }
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    String used = m.group(1);
                    if (!used.equals(pkg) && !allowed.contains(used)) {
                        violations.add(rel + " imports hydrapi." + used);
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
