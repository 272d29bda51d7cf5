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
 * Data flows one way (house-style.md "Packages"): each package imports only the packages listed here.
 * The root package (the exception hierarchy) is open to all.
 */
class PackageDependenciesTest {

    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("io", Set.of()),
            Map.entry("disk", Set.of("io")),
            Map.entry("fat", Set.of("io")),
            Map.entry("ext4", Set.of("io")),
            Map.entry("plan", Set.of()),
            Map.entry("recipe", Set.of("plan")),
            Map.entry("xz", Set.of("io")),
            Map.entry("json", Set.of()),
            Map.entry("trust", Set.of("json")),
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
                    "trust", "boot")));

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
