// SPDX-License-Identifier: Apache-2.0
package hydrapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Every message is one line, whatever bytes the names in it came from; refusals name the input and the value. */
class HydrapiExceptionTest {

    @Test
    void message_controlCharactersAreWrittenOut() {
        assertEquals("FAT path /overlays/and\\npre.ss\\x01\\t\\r\\x7f does not exist",
                new CorruptImageException("FAT path /overlays/and\npre.ss\u0001\t\r\u007f does not exist")
                        .getMessage());
        assertEquals("é, ü and ☃ stay", new InvalidInputException("é, ü and ☃ stay").getMessage());
    }

    @Test
    void about_namesTheInputAndTheValueInTheLibrarysWords() {
        InvalidInputException e = InvalidInputException.about("output", "/x/o.img", "the name must end in .xz");
        assertEquals("\u2039output\u203A /x/o.img: the name must end in .xz", e.getMessage());
        assertEquals("output", e.input());
        assertEquals("/x/o.img", e.value());
        InvalidInputException q = InvalidInputException.about("host name", "'a_b' is not a host name");
        assertEquals("\u2039host name\u203A: 'a_b' is not a host name", q.getMessage());
        assertEquals(null, q.value());
        assertEquals("/k.asc: not found", InvalidInputException.about(null, "/k.asc", "not found").getMessage());
    }

    @Test
    void message_withoutControlCharactersIsKeptAsIs() {
        String m = "ext4: inode 12: size 7 is not a multiple of 4096; run e2fsck";
        assertSame(m, new UnsupportedImageException(m).getMessage());
    }
}
