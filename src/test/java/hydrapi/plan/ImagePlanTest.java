// SPDX-License-Identifier: Apache-2.0
package hydrapi.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class ImagePlanTest {

    private static FileSpec file(String p, String text) {
        return FileSpec.file(p, 0644, new Content.Bytes(text.getBytes()));
    }

    @Test
    void of_sortsParentsBeforeChildren_whateverTheInputOrder() {
        List<FileSpec> specs = new ArrayList<>(List.of(FileSpec.directory("/a", 0755), file("/a/b", "x"),
                file("/a-b", "y"), FileSpec.directory("/a/c", 0755), file("/a/c/d", "z"), file("/b", "w")));
        List<String> expected = List.of("/a", "/a/b", "/a/c", "/a/c/d", "/a-b", "/b");
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        Random rnd = new Random(seed);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(specs, rnd);
            assertEquals(expected, ImagePlan.of(specs).files().stream().map(FileSpec::path).toList(),
                    "seed " + seed);
        }
    }

    @Test
    void of_laterSpecReplacesEarlier_butEditsStack() {
        FileSpec edit = FileSpec.file("/x", 0644, new Content.Edit("e", b -> b));
        ImagePlan plan = ImagePlan.of(List.of(file("/x", "1"), file("/x", "2"), edit));
        assertEquals(2, plan.files().size());
        assertEquals("2", new String(((Content.Bytes) plan.files().get(0).content()).bytes()));
        assertEquals(edit, plan.files().get(1));
    }

    @Test
    void fileSpec_refusesDotDotAndRelativePaths() {
        assertThrows(IllegalArgumentException.class, () -> file("etc/x", ""));
        assertThrows(IllegalArgumentException.class, () -> file("/etc/../x", ""));
        assertThrows(IllegalArgumentException.class, () -> FileSpec.directory("/d", 010755));
    }
}
