// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;

class CompressedBlockCacheTest {

    private static final int BLOCK = 128 << 10;

    @TempDir
    Path dir;

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void get_returnsWhatWasPutUnderTheSameBytesEncoderAndNamespaceOnly() {
        CompressedBlockCache c = new CompressedBlockCache(dir.resolve("c"), 1 << 20, "hydrapi 1");
        byte[] data = "some block bytes".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] key = c.key("enc A", data, data.length);
        assertNull(c.get(key, data.length));
        c.put(key, data.length, new byte[] {1, 2, 3, 4, 99}, 4);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, c.get(key, data.length));
        assertNull(c.get(key, data.length + 1), "another uncompressed size");
        assertFalse(Arrays.equals(key, c.key("enc B", data, data.length)), "another encoder");
        assertFalse(Arrays.equals(key, c.key("enc A", data, data.length - 1)), "another length");
        assertFalse(Arrays.equals(key, new CompressedBlockCache(dir.resolve("c"), 1, "hydrapi 2").key("enc A", data,
                data.length)), "another program version");
        data[0] ^= 1;
        assertFalse(Arrays.equals(key, c.key("enc A", data, data.length)), "other bytes");
    }

    @Test
    void get_rejectsAndDeletesADamagedEntry() throws IOException {
        long seed = XzTestFiles.seed("hydrapi.xz.cacheSeed", new Random().nextLong());
        System.out.println("CompressedBlockCacheTest seed " + seed + " (replay with -Dhydrapi.xz.cacheSeed=" + seed
                + ")");
        Random rnd = new Random(seed);
        CompressedBlockCache c = new CompressedBlockCache(dir, 1 << 20, "hydrapi 1");
        byte[] data = new byte[1000];
        rnd.nextBytes(data);
        byte[] key = c.key("enc", data, data.length);
        byte[] compressed = new byte[300];
        rnd.nextBytes(compressed);
        for (int trial = 0; trial < 50; trial++) {
            c.put(key, data.length, compressed, compressed.length);
            Path entry = entries(dir).get(0);
            byte[] bytes = Files.readAllBytes(entry);
            if (trial % 5 == 0) {
                bytes = Arrays.copyOf(bytes, rnd.nextInt(bytes.length));
            } else {
                bytes[rnd.nextInt(bytes.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            Files.write(entry, bytes);
            assertNull(c.get(key, data.length), "trial " + trial + " (seed " + seed + ")");
            assertFalse(Files.exists(entry), "a damaged entry is deleted");
        }
        assertEquals(50, c.rejected());
        c.put(key, data.length, compressed, compressed.length);
        assertArrayEquals(compressed, c.get(key, data.length));
        assertEquals(1, c.hits());
    }

    @Test
    void trim_deletesTheLeastRecentlyUsedUntilUnderTheBound() throws IOException {
        CompressedBlockCache c = new CompressedBlockCache(dir, 3 * (88 + 1000), "hydrapi 1");
        byte[][] keys = new byte[5][];
        for (int i = 0; i < 5; i++) {
            byte[] data = {(byte) i};
            keys[i] = c.key("enc", data, 1);
            c.put(keys[i], 1, new byte[1000], 1000);
        }
        List<Path> files = entries(dir);
        assertEquals(5, files.size());
        // Entry i last used at time 1,000,000 + i, except entry 0, used most recently.
        for (int i = 0; i < 5; i++) {
            Path p = dir.resolve(java.util.HexFormat.of().formatHex(keys[i]).substring(0, 2))
                    .resolve(java.util.HexFormat.of().formatHex(keys[i]));
            Files.setLastModifiedTime(p, FileTime.fromMillis(i == 0 ? 9_000_000 : 1_000_000 + i));
        }
        assertEquals(3 * (88 + 1000), c.trim());
        assertEquals(3, entries(dir).size());
        for (int i : new int[] {0, 3, 4}) {
            assertTrue(c.get(keys[i], 1) != null, "entry " + i + " kept");
        }
        for (int i : new int[] {1, 2}) {
            assertNull(c.get(keys[i], 1), "entry " + i + " evicted");
        }
    }

    @Test
    void writer_withACache_writesTheSameBytesAndTakesEveryBlockTheSecondTime() throws IOException {
        Random rnd = new Random(XzTestFiles.seed("hydrapi.xz.cacheWriterSeed", 14L));
        byte[] data = XzTestFiles.imageLike(rnd, 9 * BLOCK + 555, 32 << 10);
        Arrays.fill(data, 3 * BLOCK, 4 * BLOCK, (byte) 0);
        int zero = 0;
        for (int off = 0; off < data.length; off += BLOCK) {
            zero += Lzma2BlockEncoder.isAllZero(Arrays.copyOfRange(data, off, Math.min(data.length, off + BLOCK)),
                    Math.min(BLOCK, data.length - off)) ? 1 : 0;
        }
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        new ParallelXzWriter(2, BLOCK, 6).write(new ByteArrayDevice(data), plain, null);

        CompressedBlockCache cache = new CompressedBlockCache(dir, 1 << 30, "hydrapi 1");
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        XzWriteSummary s1 = new ParallelXzWriter(2, BLOCK, 6, cache).write(new ByteArrayDevice(data), first, null);
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        XzWriteSummary s2 = new ParallelXzWriter(1, BLOCK, 6, cache).write(new ByteArrayDevice(data), second, null);

        assertArrayEquals(plain.toByteArray(), first.toByteArray(), "filling the cache changes no byte");
        assertArrayEquals(plain.toByteArray(), second.toByteArray(), "reading it changes no byte");
        assertEquals(0, s1.cachedBlocks());
        assertEquals(10 - zero, s2.cachedBlocks(), "every block but the all-zero ones from the cache");
        assertTrue(zero > 0 && zero < 10, "the data has zero and non-zero blocks: " + zero);

        // A damaged entry is compressed again; the output stays the same.
        Path victim = entries(dir).get(0);
        byte[] b = Files.readAllBytes(victim);
        b[b.length - 1] ^= 1;
        Files.write(victim, b);
        ByteArrayOutputStream third = new ByteArrayOutputStream();
        XzWriteSummary s3 = new ParallelXzWriter(2, BLOCK, 6, cache).write(new ByteArrayDevice(data), third, null);
        assertArrayEquals(plain.toByteArray(), third.toByteArray());
        assertEquals(10 - zero - 1, s3.cachedBlocks());
        XzTestFiles.assertAllDecoders(XzTestFiles.temp(dir, "third.xz", third.toByteArray()), data);
    }

    @Test
    void encoderIdentity_namesTheXzJavaOnTheClassPath() {
        assertEquals(LZMA2Options.class.getPackage().getImplementationVersion(), Lzma2BlockEncoder.XZ_JAVA_VERSION,
                "update Lzma2BlockEncoder.XZ_JAVA_VERSION with the pom: cached blocks are keyed by it");
        assertTrue(new Lzma2BlockEncoder(6, 4 << 20).identity().contains("dict 4194304"));
    }
}
