// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncompressibleProbeTest {

    @TempDir
    java.nio.file.Path dir;

    private static boolean probe(byte[] data, int chunk) {
        IncompressibleProbe p = new IncompressibleProbe();
        p.reset();
        for (int off = 0; off < data.length; off += chunk) {
            p.update(data, off, Math.min(chunk, data.length - off));
        }
        return p.incompressible();
    }

    @Test
    void incompressible_onlyForBytesDeflateCannotShrink() {
        Random rnd = new Random(XzTestFiles.seed("hydrapi.xz.probeSeed", 99L));
        byte[] random = new byte[3 << 20];
        rnd.nextBytes(random);
        assertTrue(probe(random, 1 << 20));
        assertTrue(probe(random, 777), "whatever the chunks");
        assertTrue(probe(Arrays.copyOf(random, 1000), 1000), "a Block shorter than the sample");
        assertFalse(probe(new byte[3 << 20], 1 << 20), "zeros");
        assertFalse(probe(XzTestFiles.imageLike(rnd, 3 << 20, 64 << 10), 1 << 20), "image-like data");
        byte[] tail = random.clone();
        Arrays.fill(tail, 2 << 20, 3 << 20, (byte) 'a');
        assertFalse(probe(tail, 1 << 20), "a third of it compresses: LZMA is worth its time");
        IncompressibleProbe reused = new IncompressibleProbe();
        reused.reset();
        reused.update(new byte[1 << 20], 0, 1 << 20);
        assertFalse(reused.incompressible());
        reused.reset();
        reused.update(random, 0, random.length);
        assertTrue(reused.incompressible(), "reset forgets the previous Block");
    }

    @Test
    void writer_storesIncompressibleBlocksAndEveryDecoderReadsThem() throws IOException {
        int block = 256 << 10;
        Random rnd = new Random(XzTestFiles.seed("hydrapi.xz.storedSeed", 7L));
        byte[] data = XzTestFiles.imageLike(rnd, 6 * block, 32 << 10);
        byte[] noise = new byte[2 * block];
        rnd.nextBytes(noise);
        System.arraycopy(noise, 0, data, 2 * block, noise.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ParallelXzWriter(2, block, 6).write(new ByteArrayDevice(data), out, null);
        java.nio.file.Path xz = XzTestFiles.temp(dir, "stored.xz", out.toByteArray());
        XzTestFiles.assertAllDecoders(xz, data);
        // Blocks 3 and 4 hold the noise: uncompressed LZMA2 chunks, a few header bytes per 64 KiB over their size.
        long stored = XzTestFiles.robotBlocks(xz).stream().filter(b -> b.compSize() > block && b.compSize() < block + 100)
                .count();
        assertEquals(2, stored, "two stored blocks");
    }
}
