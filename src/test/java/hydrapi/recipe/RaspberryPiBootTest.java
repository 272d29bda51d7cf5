// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

class RaspberryPiBootTest {

    private static String append(String cmdline, String... words) {
        return new String(RaspberryPiBoot.appendWords(cmdline.getBytes(StandardCharsets.UTF_8), List.of(words)),
                StandardCharsets.UTF_8);
    }

    @Test
    void appendWords_addsMissingWordsOnTheSameLine() {
        assertEquals("console=tty1 root=x rootwait quiet splash\n",
                append("console=tty1 root=x rootwait\n", "quiet", "splash"));
    }

    @Test
    void appendWords_skipsWordsAlreadyThereAndRepeatedOnes() {
        assertEquals("a quiet b\n", append("a quiet\n", "quiet", "b", "b"));
    }

    @Test
    void appendWords_keepsFilesWithoutNewlineWithout() {
        assertEquals("a b", append("a", "b"));
        assertEquals("a b\r\n", append("a\r\n", "b"));
    }

    @Test
    void specs_splitTextIntoWords() {
        var specs = RaspberryPiBoot.specs("/boot/firmware", true, List.of("  quiet   splash "));
        assertEquals(List.of("/boot/firmware/ssh", "/boot/firmware/cmdline.txt"),
                specs.stream().map(s -> s.path()).toList());
    }
}
