// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.ByteArrayDevice;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CachedBlockDeviceTest {

    /** Counts the bytes read from the device below. */
    private static final class Counting implements BlockDevice {
        final BlockDevice base;
        long bytesRead;

        Counting(BlockDevice base) {
            this.base = base;
        }

        @Override
        public long sizeBytes() {
            return base.sizeBytes();
        }

        @Override
        public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
            bytesRead += len;
            base.read(offsetBytes, buf, off, len);
        }

        @Override
        public void write(long offsetBytes, byte[] buf, int off, int len) {
            throw new IllegalStateException();
        }
    }

    @Test
    void read_randomRanges_sameBytesAsTheDevice() throws IOException {
        long seed = Long.getLong("hydrapi.seed", new Random().nextLong());
        System.out.println("CachedBlockDeviceTest seed " + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        Random rnd = new Random(seed);
        // An odd size: the last page is short.
        byte[] data = new byte[300 * 4096 + 1234];
        rnd.nextBytes(data);
        CachedBlockDevice dev = new CachedBlockDevice(new ByteArrayDevice(data), 16 * 4096);
        for (int i = 0; i < 3000; i++) {
            int off = rnd.nextInt(data.length);
            int max = rnd.nextInt(10) == 0 ? 200_000 : 9000;
            int len = rnd.nextInt(Math.min(max, data.length - off) + 1);
            assertArrayEquals(Arrays.copyOfRange(data, off, off + len), dev.read(off, len),
                    "read " + i + " of " + len + " at " + off + " (seed " + seed + ")");
            assertTrue(dev.cachedPages() <= 16);
        }
        assertThrows(EOFException.class, () -> dev.read(data.length - 10, 11));
    }

    @Test
    void read_smallReadsHitTheCacheAndBulkReadsEvictNothing() throws IOException {
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        Counting below = new Counting(new ByteArrayDevice(data));
        CachedBlockDevice dev = new CachedBlockDevice(below, 8 * 4096);
        dev.read(4096 * 3 + 100, 512);
        dev.read(4096 * 5, 4096);
        assertEquals(2 * 4096, below.bytesRead, "each page read once, whole");
        dev.read(4096 * 3, 4096);
        dev.read(4096 * 5 + 7, 10);
        assertEquals(2 * 4096, below.bytesRead, "hits");
        dev.read(0, 512 << 10);
        assertEquals(2 * 4096 + (512 << 10), below.bytesRead, "a bulk read passes through");
        dev.read(4096 * 3, 4096);
        assertEquals(2 * 4096 + (512 << 10), below.bytesRead, "and evicts no page");
        assertEquals(2, dev.cachedPages());
        assertEquals(3, dev.hitsAndMisses()[0]);
        assertEquals(2, dev.hitsAndMisses()[1]);
        assertThrows(IllegalStateException.class, () -> dev.write(0, new byte[1]));
    }
}
