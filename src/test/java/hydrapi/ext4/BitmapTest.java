// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BitmapTest {

    /** firstClear skips full bytes; it must find exactly what a bit-by-bit scan finds, at any alignment. */
    @Test
    void firstClear_agreesWithABitByBitScan() {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        Random rnd = new Random(seed);
        for (int round = 0; round < 2000; round++) {
            byte[] b = new byte[16];
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextInt(3) > 0 ? (byte) 0xFF : (byte) (0xFF & ~(1 << rnd.nextInt(8)));
            }
            Bitmap bm = new Bitmap(b);
            long from = rnd.nextInt(129);
            long to = from + rnd.nextInt((int) (129 - from));
            long expected = -1;
            for (long bit = from; bit < to; bit++) {
                if ((b[(int) (bit >>> 3)] & (1 << (bit & 7))) == 0) {
                    expected = bit;
                    break;
                }
            }
            assertEquals(expected, bm.firstClear(from, to), "seed " + seed + " round " + round + " [" + from + ", "
                    + to + ")");
        }
    }
}
