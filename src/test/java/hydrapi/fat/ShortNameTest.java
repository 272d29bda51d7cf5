// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import hydrapi.InvalidInputException;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShortNameTest {

    @ParameterizedTest
    @CsvSource({
        "config.txt, CONFIG.TXT, 24",
        "CONFIG.TXT, CONFIG.TXT, 0",
        "ssh, SSH, 8",
        "SSH, SSH, 0",
        "config.TXT, CONFIG.TXT, 8",
        "README.md, README.MD, 16",
        "a1-b_c.x, A1-B_C.X, 24",
        "12345678.123, 12345678.123, 0",
    })
    void exact_oneCasePerPartNeedsNoLongName(String name, String shortName, int ntRes) {
        ShortName sn = ShortName.exact(name);
        assertEquals(shortName, sn.display());
        assertEquals(ntRes, sn.ntRes());
    }

    @ParameterizedTest
    @CsvSource({"Config.txt", "config.Txt", "123456789.txt", "a.long", ".bashrc", "a b.txt", "a+b", "x.y.z", "ünï",
                "bcm2711-rpi-4-b.dtb", "name."})
    void exact_rejectsNamesNeedingLongEntries(String name) {
        assertNull(ShortName.exact(name));
    }

    @ParameterizedTest
    @CsvSource({
        "longfilename1.txt, LONGFI~1.TXT",
        "bcm2711-rpi-4-b.dtb, BCM271~1.DTB",
        "Config.txt, CONFIG.TXT",
        ".bashrc, BASHRC~1",
        "a+b.txt, A_B~1.TXT",
        "my.file.name.txt, MYFILE~1.TXT",
        "A name with spaces.text, ANAMEW~1.TEX",
        "ünïcode.txt, _N_COD~1.TXT",
        "...., _~1",
    })
    void generate_basisAndTail(String name, String expected) throws IOException {
        assertEquals(expected, ShortName.generate(name, Set.of()).display());
    }

    @Test
    void generate_avoidsCollisionsWithLowestFreeTail() throws IOException {
        TreeSet<String> taken = new TreeSet<>(Set.of("LONGFI~1.TXT", "CONFIG.TXT"));
        assertEquals("LONGFI~2.TXT", ShortName.generate("longfilename2.txt", taken).display());
        assertEquals("CONFIG~1.TXT", ShortName.generate("Config.txt", taken).display());
        for (int i = 1; i <= 9; i++) {
            taken.add("LONGFI~" + i + ".TXT");
        }
        assertEquals("LONGF~10.TXT", ShortName.generate("longfilename.txt", taken).display());
        taken.clear();
        for (int i = 1; i <= 99; i++) {
            taken.add(ShortName.generate("ab cdef ghij", taken).display());
        }
        assertEquals(Set.of("ABCDEF~1", "ABCDEF~9", "ABCDE~10", "ABCDE~99"),
                Set.copyOf(taken.stream().filter(n -> n.matches(".*~(1|9|10|99)")).toList()));
        assertEquals("ABCD~100", ShortName.generate("ab cdef ghij", taken).display());
    }

    @Test
    void validateLongName_rejectsReservedCharacters() {
        for (String bad : new String[] {"", ".", "..", "a/b", "a\\b", "a?b", "a\"b", "a|b", "a<b", "a\u0001", "ends ",
                                        "x".repeat(256)}) {
            assertThrows(InvalidInputException.class, () -> ShortName.validateLongName(bad, "/" + bad), bad);
        }
    }
}
