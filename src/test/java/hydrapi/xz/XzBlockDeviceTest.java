// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.UnsupportedImageException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XzBlockDeviceTest {

    private static final int BLOCK = 64 << 10;

    @TempDir
    Path dir;

    /** {@code xz -T2 --block-size=64KiB -6} of image-like data with a short last block; expected bytes via xz -dc. */
    private Path xzUtilsMultiBlock(byte[] data, String name) throws IOException {
        Path raw = XzTestFiles.temp(dir, name + ".img", data);
        return XzTestFiles.temp(dir, name + ".xz", XzTestFiles.xzUtils(raw, "-T2", "--block-size=" + BLOCK, "-6"));
    }

    private byte[] xzDc(Path xz) throws IOException {
        Path out = dir.resolve(xz.getFileName() + ".dc");
        hydrapi.testkit.Oracles.xzDecompress(xz, out);
        return Files.readAllBytes(out);
    }

    @Test
    void read_randomRangesAcrossBlocks_matchXzDc() throws IOException {
        long seed = XzTestFiles.seed("hydrapi.xz.blockDeviceSeed", 5L);
        Random rnd = new Random(seed);
        byte[] data = XzTestFiles.imageLike(rnd, 10 * BLOCK + 4321, 8 << 10);
        Path xz = xzUtilsMultiBlock(data, "multi");
        byte[] expected = xzDc(xz);
        assertEquals(11, XzTestFiles.robotBlocks(xz).size());

        try (XzBlockDevice dev = XzBlockDevice.open(xz, 3)) {
            assertEquals(expected.length, dev.sizeBytes());
            for (int i = 0; i < 300; i++) {
                int off = rnd.nextInt(expected.length);
                int len = rnd.nextInt(Math.min(3 * BLOCK, expected.length - off) + 1);
                byte[] got = dev.read(off, len);
                assertArrayEquals(Arrays.copyOfRange(expected, off, off + len), got,
                        "seed " + seed + " read " + off + "+" + len);
            }
            // exactly on a Block boundary, across one, the last byte, and the whole device
            assertArrayEquals(Arrays.copyOfRange(expected, BLOCK, 2 * BLOCK), dev.read(BLOCK, BLOCK));
            assertArrayEquals(Arrays.copyOfRange(expected, BLOCK - 1, BLOCK + 1), dev.read(BLOCK - 1, 2));
            assertArrayEquals(Arrays.copyOfRange(expected, expected.length - 1, expected.length),
                    dev.read(expected.length - 1, 1));
            assertArrayEquals(expected, dev.read(0, expected.length));
            assertThrows(EOFException.class, () -> dev.read(expected.length - 1, 2));
            assertThrows(IllegalStateException.class, () -> dev.write(0, new byte[1]));
        }
    }

    @Test
    void read_lruCache_decodesOnlyMissesAndStaysBounded() throws IOException {
        byte[] data = XzTestFiles.imageLike(new Random(9), 6 * BLOCK, 8 << 10);
        try (XzBlockDevice dev = XzBlockDevice.open(xzUtilsMultiBlock(data, "lru"), 2)) {
            dev.read(0, 10);
            dev.read(5, 10);
            assertEquals(1, dev.decodedBlocks(), "second read of block 1 is a hit");
            dev.read(BLOCK - 5, 10); // blocks 1 and 2
            assertEquals(2, dev.decodedBlocks());
            dev.read(2 * BLOCK, 1); // block 3 evicts block 1, the least recently used
            assertEquals(3, dev.decodedBlocks());
            dev.read(BLOCK, 1); // block 2 still cached
            assertEquals(3, dev.decodedBlocks());
            dev.read(0, 1); // block 1 was evicted
            assertEquals(4, dev.decodedBlocks());
            assertTrue(dev.cachedBlocks() <= 2, "cache holds " + dev.cachedBlocks() + " blocks");
        }
    }

    @Test
    void read_withSpill_decodesEachBlockOnceWhateverTheOrder() throws IOException {
        long seed = XzTestFiles.seed("hydrapi.xz.spillSeed", 21L);
        Random rnd = new Random(seed);
        // Whole zero pages between data, so the spill file has holes to leave.
        byte[] data = XzTestFiles.imageLike(rnd, 9 * BLOCK + 777, 8 << 10);
        Path xz = xzUtilsMultiBlock(data, "spill");
        byte[] expected = xzDc(xz);
        Path spillDir = Files.createDirectories(dir.resolve("spill"));
        try (XzBlockDevice dev = XzBlockDevice.open(xz, 1, spillDir)) {
            for (int i = 0; i < 400; i++) {
                int off = rnd.nextInt(expected.length);
                int len = rnd.nextInt(Math.min(2 * BLOCK, expected.length - off) + 1);
                assertArrayEquals(Arrays.copyOfRange(expected, off, off + len), dev.read(off, len),
                        "read " + i + " at " + off + " (seed " + seed + ")");
            }
            assertEquals(10, dev.decodedBlocks(), "each of the 10 blocks decoded once (seed " + seed + ")");
            assertEquals(0, dev.cachedBlocks(), "none kept in memory");
        }
        try (var files = Files.list(spillDir)) {
            assertEquals(0, files.count(), "the spill file is deleted on close");
        }
    }

    @Test
    void read_concurrentThreads_sameBytesAsXzDc() throws Exception {
        long seed = XzTestFiles.seed("hydrapi.xz.blockDeviceThreadsSeed", 77L);
        byte[] data = XzTestFiles.imageLike(new Random(seed), 12 * BLOCK + 99, 8 << 10);
        Path xz = xzUtilsMultiBlock(data, "threads");
        byte[] expected = xzDc(xz);
        for (Path spillDir : new Path[] {null, Files.createDirectories(dir.resolve("spill-threads"))}) {
            readConcurrently(xz, spillDir, expected, seed);
        }
    }

    private static void readConcurrently(Path xz, Path spillDir, byte[] expected, long seed) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (XzBlockDevice dev = XzBlockDevice.open(xz, 2, spillDir)) {
            List<Future<String>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long s = seed + t;
                results.add(pool.submit(() -> {
                    Random rnd = new Random(s);
                    for (int i = 0; i < 200; i++) {
                        int off = rnd.nextInt(expected.length);
                        int len = rnd.nextInt(Math.min(2 * BLOCK, expected.length - off) + 1);
                        if (!Arrays.equals(dev.read(off, len), Arrays.copyOfRange(expected, off, off + len))) {
                            return "thread seed " + s + " read " + off + "+" + len + " differs";
                        }
                    }
                    return null;
                }));
            }
            for (Future<String> f : results) {
                assertEquals(null, f.get(), spillDir == null ? "in memory" : "spilled");
            }
            if (spillDir != null) {
                assertEquals(13, dev.decodedBlocks(), "each block decoded once by whichever thread came first");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void read_concatenatedStreamsWithPadding_matchXzDc() throws IOException {
        byte[] a = XzTestFiles.imageLike(new Random(1), 3 * BLOCK + 17, 8 << 10);
        byte[] b = XzTestFiles.imageLike(new Random(2), 2 * BLOCK + 3, 8 << 10);
        byte[] xa = Files.readAllBytes(xzUtilsMultiBlock(a, "a"));
        byte[] xb = Files.readAllBytes(xzUtilsMultiBlock(b, "b"));
        byte[] cat = new byte[xa.length + 8 + xb.length];
        System.arraycopy(xa, 0, cat, 0, xa.length);
        System.arraycopy(xb, 0, cat, xa.length + 8, xb.length); // 8 bytes of Stream Padding between
        Path xz = XzTestFiles.temp(dir, "catpad.xz", cat);
        byte[] expected = xzDc(xz);
        assertEquals(a.length + b.length, expected.length);
        try (XzBlockDevice dev = XzBlockDevice.open(xz, 4)) {
            assertEquals(2, dev.structure().size());
            assertArrayEquals(expected, dev.read(0, expected.length));
            assertArrayEquals(Arrays.copyOfRange(expected, a.length - 10, a.length + 10), dev.read(a.length - 10, 20));
        }
    }

    @Test
    void read_corruptBlock_corruptImageExceptionNamesBlockOthersStillReadable() throws IOException {
        byte[] data = XzTestFiles.imageLike(new Random(4), 5 * BLOCK, 8 << 10);
        Path xz = xzUtilsMultiBlock(data, "corrupt");
        byte[] expected = xzDc(xz);
        XzTestFiles.RobotBlock third = XzTestFiles.robotBlocks(xz).get(2);
        byte[] bytes = Files.readAllBytes(xz);
        // a byte in the middle of block 3's Compressed Data
        int at = (int) (third.compOffset() + third.headerSize() + third.compSize() / 2);
        bytes[at] ^= 0x55;
        Files.write(xz, bytes);

        try (XzBlockDevice dev = XzBlockDevice.open(xz, 2)) {
            assertArrayEquals(Arrays.copyOfRange(expected, 0, 2 * BLOCK), dev.read(0, 2 * BLOCK));
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> dev.read(2 * BLOCK + 7, 1));
            assertTrue(e.getMessage().contains("stream 1 block 3"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            // a failed decode is not cached: the next read fails the same way
            assertThrows(CorruptImageException.class, () -> dev.read(2 * BLOCK, 1));
            assertArrayEquals(Arrays.copyOfRange(expected, 3 * BLOCK, 5 * BLOCK), dev.read(3 * BLOCK, 2 * BLOCK));
        }
    }

    @Test
    void open_singleHugeBlock_refusedAndIsRandomAccessFalse() throws IOException {
        // xz -T1 writes one Block however large the input: 65 MiB of zeros, over the 64 MiB limit
        Path raw = dir.resolve("zeros.img");
        try (var ch = java.nio.channels.FileChannel.open(raw, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), (65L << 20) - 1);
        }
        Path xz = XzTestFiles.temp(dir, "zeros.xz", XzTestFiles.xzUtils(raw, "-T1", "-0"));
        assertEquals(1, XzTestFiles.robotBlocks(xz).size());

        assertFalse(XzBlockDevice.isRandomAccess(XzFile.readStructure(xz)));
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class, () -> XzBlockDevice.open(xz, 4));
        assertTrue(e.getMessage().contains("block 1"), e.getMessage());
    }

    @Test
    void isRandomAccess_smallBlocksTrueSmallSingleBlockTrue() throws IOException {
        byte[] data = XzTestFiles.imageLike(new Random(3), 3 * BLOCK, 8 << 10);
        assertTrue(XzBlockDevice.isRandomAccess(XzFile.readStructure(xzUtilsMultiBlock(data, "small"))));
        Path raw = XzTestFiles.temp(dir, "one.img", data);
        Path one = XzTestFiles.temp(dir, "one.xz", XzTestFiles.xzUtils(raw, "-T1", "-6"));
        assertTrue(XzBlockDevice.isRandomAccess(XzFile.readStructure(one)), "one small block is cheap to decode");
        try (XzBlockDevice dev = XzBlockDevice.open(one, 1)) {
            assertArrayEquals(xzDc(one), dev.read(0, data.length));
        }
    }
}
