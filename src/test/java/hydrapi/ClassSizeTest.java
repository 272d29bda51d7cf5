// SPDX-License-Identifier: Apache-2.0
package hydrapi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No source file of the tool is past 400 lines (house-style.md "Class size"): a class that grows past it is split by
 * concept, as e2fsprogs' lib/ext2fs keeps lookup.c apart from link.c.
 */
class ClassSizeTest {

    private static final int MAX_LINES = 400;

    @Test
    void sources_stayWithinTheLimit() throws IOException {
        Path src = Path.of("src/main/java");
        List<String> tooLong = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                long lines = Files.readAllLines(f).size();
                if (lines > MAX_LINES) {
                    tooLong.add(src.relativize(f) + ": " + lines + " lines");
                }
            }
        }
        assertEquals(List.of(), tooLong);
    }
}
