// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ParallelXzWriter#writeReusing}: judged by xz-utils, libarchive and XZInputStream, and by xz --robot -lvv. */
class XzBlockReuseTest {

    private static final int BLOCK = 64 << 10;

    @TempDir
    Path dir;

    /** An edit of the source: [start, end) overwritten. */
    private record Edit(long start, long end) {
    }

    private static BiPredicate<Long, Long> touchedBy(List<Edit> edits) {
        return (start, end) -> edits.stream().anyMatch(e -> e.start() < end && start < e.end());
    }

    private Path xzUtils(byte[] data, String name, String... options) throws IOException {
        Path raw = XzTestFiles.temp(dir, name + ".img", data);
        return XzTestFiles.temp(dir, name + ".xz", XzTestFiles.xzUtils(raw, options));
    }

    private static byte[] reuse(int threads, int blockBytes, byte[] source, Path base, BiPredicate<Long, Long> touched,
            XzWriteSummary[] summary) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        summary[0] = new ParallelXzWriter(threads, blockBytes, 6).writeReusing(new ByteArrayDevice(source), base,
                XzFile.readStructure(base), touched, out, null);
        return out.toByteArray();
    }

    private static String field(String list, String name) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(name) + ":\\s+(.+)$").matcher(list);
        assertTrue(m.find(), name + " missing in xz -lvv output:\n" + list);
        return m.group(1).trim();
    }

    private static byte[] blockBytes(byte[] file, XzTestFiles.RobotBlock b) {
        return Arrays.copyOfRange(file, (int) b.compOffset(), (int) (b.compOffset() + b.totalSize()));
    }

    @Test
    void writeReusing_editsOnBlockBoundaries_copiesUntouchedBlocksAndDecodesToSource() throws IOException {
        long seed = XzTestFiles.seed("hydrapi.xz.reuseSeed", 1125L);
        Random rnd = new Random(seed);
        byte[] original = XzTestFiles.imageLike(rnd, 10 * BLOCK + BLOCK / 2, 8 << 10);
        // xz-utils' multi-threaded layout, 11 Blocks, the last one half size
        Path base = xzUtils(original, "base", "-T2", "--block-size=" + BLOCK, "-6");
        List<XzTestFiles.RobotBlock> baseBlocks = XzTestFiles.robotBlocks(base);
        assertEquals(11, baseBlocks.size());

        byte[] modified = original.clone();
        List<Edit> edits = List.of(
                new Edit(4L * BLOCK, 4L * BLOCK + 100), // starts exactly where block 5 starts
                new Edit(2L * BLOCK - 50, 2L * BLOCK), // ends exactly where block 2 ends
                new Edit(7L * BLOCK, 8L * BLOCK), // all of block 8, made zero
                new Edit(original.length - 3, original.length)); // the short last block
        for (Edit e : edits) {
            for (long i = e.start(); i < e.end(); i++) {
                modified[(int) i] = (byte) (e.start() == 7L * BLOCK ? 0 : rnd.nextInt(256));
            }
        }
        List<Integer> untouched = new ArrayList<>();
        for (int i = 0; i < baseBlocks.size(); i++) {
            long s = baseBlocks.get(i).uncompOffset();
            long t = s + baseBlocks.get(i).uncompSize();
            if (edits.stream().noneMatch(e -> e.start() < t && s < e.end())) {
                untouched.add(i);
            }
        }
        assertEquals(List.of(0, 2, 3, 5, 6, 8, 9), untouched, "blocks 2, 5, 8 and 11 are the dirty ones");

        XzWriteSummary[] s1 = new XzWriteSummary[1];
        XzWriteSummary[] s3 = new XzWriteSummary[1];
        byte[] t1 = reuse(1, 1 << 20, modified, base, touchedBy(edits), s1);
        byte[] t3 = reuse(3, 1 << 20, modified, base, touchedBy(edits), s3);

        assertArrayEquals(t1, t3, "1 vs 3 threads");
        Path out = XzTestFiles.temp(dir, "out.xz", t1);
        XzTestFiles.assertAllDecoders(out, modified);
        assertEquals(new XzWriteSummary(modified.length, t1.length, 11, 1, untouched.size()), s1[0]);
        assertEquals(s1[0], s3[0]);

        String list = Oracles.xzList(out);
        assertEquals("1", field(list, "Streams"), list);
        assertEquals("11", field(list, "Blocks"), list);
        assertEquals("Yes", field(list, "Sizes in headers"), list);
        assertEquals("CRC64", field(list, "Check"), list);
        List<XzTestFiles.RobotBlock> outBlocks = XzTestFiles.robotBlocks(out);
        byte[] baseFile = Files.readAllBytes(base);
        for (int i = 0; i < outBlocks.size(); i++) {
            assertEquals(baseBlocks.get(i).uncompOffset(), outBlocks.get(i).uncompOffset(), "grid follows the base");
            assertEquals(baseBlocks.get(i).uncompSize(), outBlocks.get(i).uncompSize(), "grid follows the base");
            if (untouched.contains(i)) {
                assertArrayEquals(blockBytes(baseFile, baseBlocks.get(i)), blockBytes(t1, outBlocks.get(i)),
                        "block " + (i + 1) + " copied byte for byte");
            }
        }
    }

    /** The build's intended wiring: XzBlockDevice as the base, OverlayDevice for edits, its touches() as predicate. */
    @Test
    void writeReusing_overlayOverXzBlockDevice_onlyDecodesAndRecompressesWrittenBlocks() throws IOException {
        byte[] original = XzTestFiles.imageLike(new Random(71), 8 * BLOCK + 999, 8 << 10);
        Path base = xzUtils(original, "overlay-base", "-T2", "--block-size=" + BLOCK, "-6");
        byte[] expected = original.clone();
        byte[] patch = "hydrapi was here".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(patch, 0, expected, 3 * BLOCK - 4, patch.length); // straddles blocks 3 and 4
        XzWriteSummary s;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XzBlockDevice xz = XzBlockDevice.open(base, 2)) {
            hydrapi.io.OverlayDevice disk = new hydrapi.io.OverlayDevice(xz);
            disk.write(3L * BLOCK - 4, patch);
            s = new ParallelXzWriter(2, BLOCK, 6).writeReusing(disk, base, xz.structure(), disk::touches, out, null);
            assertEquals(2, xz.decodedBlocks(), "only the two written blocks were ever decoded");
        }
        XzTestFiles.assertAllDecoders(XzTestFiles.temp(dir, "overlay-out.xz", out.toByteArray()), expected);
        assertEquals(new XzWriteSummary(expected.length, out.size(), 9, 0, 7), s);
    }

    @Test
    void writeReusing_nothingTouched_reproducesXzUtilsFileByteForByte() throws IOException {
        byte[] data = XzTestFiles.imageLike(new Random(8), 5 * BLOCK + 1234, 8 << 10);
        Path base = xzUtils(data, "same", "-T2", "--block-size=" + BLOCK, "-6");
        XzWriteSummary[] s = new XzWriteSummary[1];

        byte[] out = reuse(2, BLOCK, data, base, (a, b) -> false, s);

        assertArrayEquals(Files.readAllBytes(base), out, "one Stream of copied Blocks is xz's own file again");
        assertEquals(6, s[0].reusedBlocks());
        assertEquals(0, s[0].recompressedBlocks());
    }

    @Test
    void writeReusing_touchedBlockLargerThanWriterBlocks_splitOnWriterGrid() throws IOException {
        int baseBlock = 4 * BLOCK;
        byte[] data = XzTestFiles.imageLike(new Random(21), 3 * baseBlock, 8 << 10);
        Path base = xzUtils(data, "big", "-T2", "--block-size=" + baseBlock, "-6");
        byte[] modified = data.clone();
        modified[baseBlock + 5] ^= 1;
        XzWriteSummary[] s = new XzWriteSummary[1];

        byte[] out = reuse(2, BLOCK, modified, base, touchedBy(List.of(new Edit(baseBlock + 5, baseBlock + 6))), s);

        Path xz = XzTestFiles.temp(dir, "split.xz", out);
        XzTestFiles.assertAllDecoders(xz, modified);
        List<Long> sizes = XzTestFiles.robotBlocks(xz).stream().map(XzTestFiles.RobotBlock::uncompSize).toList();
        assertEquals(List.of((long) baseBlock, (long) BLOCK, (long) BLOCK, (long) BLOCK, (long) BLOCK,
                (long) baseBlock), sizes);
        assertEquals(2, s[0].reusedBlocks());
    }

    @Test
    void writeReusing_concatenatedStreamsSameCheck_oneStreamOut() throws IOException {
        byte[] a = XzTestFiles.imageLike(new Random(31), 3 * BLOCK + 11, 8 << 10);
        byte[] b = XzTestFiles.imageLike(new Random(32), 2 * BLOCK + 22, 8 << 10);
        byte[] xa = Files.readAllBytes(xzUtils(a, "a", "-T2", "--block-size=" + BLOCK, "-6"));
        byte[] xb = Files.readAllBytes(xzUtils(b, "b", "-T2", "--block-size=" + BLOCK, "-6"));
        byte[] cat = new byte[xa.length + 4 + xb.length];
        System.arraycopy(xa, 0, cat, 0, xa.length);
        System.arraycopy(xb, 0, cat, xa.length + 4, xb.length); // Stream Padding between
        Path base = XzTestFiles.temp(dir, "cat.xz", cat);
        byte[] modified = new byte[a.length + b.length];
        System.arraycopy(a, 0, modified, 0, a.length);
        System.arraycopy(b, 0, modified, a.length, b.length);
        modified[a.length] ^= 0x7F; // first byte of the second Stream
        XzWriteSummary[] s = new XzWriteSummary[1];

        byte[] out = reuse(2, BLOCK, modified, base, touchedBy(List.of(new Edit(a.length, a.length + 1))), s);

        Path xz = XzTestFiles.temp(dir, "one-stream.xz", out);
        XzTestFiles.assertAllDecoders(xz, modified);
        String list = Oracles.xzList(xz);
        assertEquals("1", field(list, "Streams"), list);
        assertEquals("7", field(list, "Blocks"), list);
        assertEquals("0 B", field(list, "Stream Padding"), list);
        assertEquals(6, s[0].reusedBlocks());
    }

    @Test
    void writeReusing_crc32Base_newBlocksCarryCrc32ThatXzVerifies() throws IOException {
        byte[] data = XzTestFiles.imageLike(new Random(41), 4 * BLOCK, 8 << 10);
        Path base = xzUtils(data, "crc32", "-T2", "--block-size=" + BLOCK, "--check=crc32", "-6");
        byte[] modified = data.clone();
        Arrays.fill(modified, BLOCK, BLOCK + 300, (byte) 'x');
        Arrays.fill(modified, 3 * BLOCK, 4 * BLOCK, (byte) 0);
        List<Edit> edits = List.of(new Edit(BLOCK, BLOCK + 300), new Edit(3L * BLOCK, 4L * BLOCK));
        XzWriteSummary[] s = new XzWriteSummary[1];

        byte[] out = reuse(2, BLOCK, modified, base, touchedBy(edits), s);

        Path xz = XzTestFiles.temp(dir, "crc32-out.xz", out);
        XzTestFiles.assertAllDecoders(xz, modified); // xz -t verifies each Block's CRC32
        assertEquals("CRC32", field(Oracles.xzList(xz), "Check"));
        assertEquals(new XzWriteSummary(modified.length, out.length, 4, 1, 2), s[0]);
        // a wrong Check would be caught: flip the CRC32 of the new zero block (the last 4 bytes before the Index)
        List<XzTestFiles.RobotBlock> rb = XzTestFiles.robotBlocks(xz);
        XzTestFiles.RobotBlock last = rb.get(3);
        byte[] broken = out.clone();
        broken[(int) (last.compOffset() + last.totalSize() - 1)] ^= 1;
        Path bad = XzTestFiles.temp(dir, "bad.xz", broken);
        assertTrue(Oracles.run("xz", "-t", bad.toString()).exitCode() != 0, "xz -t must reject a bad CRC32");
    }

    @Test
    void writeReusing_checkTypesDiffer_fallsBackToFreshCrc64Grid() throws IOException {
        byte[] a = XzTestFiles.imageLike(new Random(51), 2 * BLOCK, 8 << 10);
        byte[] b = XzTestFiles.imageLike(new Random(52), 2 * BLOCK, 8 << 10);
        byte[] xa = Files.readAllBytes(xzUtils(a, "c32", "-T2", "--block-size=" + BLOCK, "--check=crc32", "-6"));
        byte[] xb = Files.readAllBytes(xzUtils(b, "c64", "-T2", "--block-size=" + BLOCK, "-6"));
        byte[] cat = new byte[xa.length + xb.length];
        System.arraycopy(xa, 0, cat, 0, xa.length);
        System.arraycopy(xb, 0, cat, xa.length, xb.length);
        Path base = XzTestFiles.temp(dir, "mixed-check.xz", cat);
        byte[] source = new byte[a.length + b.length];
        System.arraycopy(a, 0, source, 0, a.length);
        System.arraycopy(b, 0, source, a.length, b.length);
        XzWriteSummary[] s = new XzWriteSummary[1];

        byte[] out = reuse(2, BLOCK, source, base, (x, y) -> false, s);

        assertArrayEquals(XzTestFiles.ourXz(source, 1, BLOCK, 6), out, "exactly what write() gives");
        assertEquals(0, s[0].reusedBlocks());
        XzTestFiles.assertAllDecoders(XzTestFiles.temp(dir, "fallback.xz", out), source);
    }

    @Test
    void writeReusing_sourceSizeDiffersFromBase_fallsBack() throws IOException {
        byte[] data = XzTestFiles.imageLike(new Random(61), 3 * BLOCK, 8 << 10);
        Path base = xzUtils(data, "short", "-T2", "--block-size=" + BLOCK, "-6");
        byte[] longer = Arrays.copyOf(data, data.length + 4096);
        XzWriteSummary[] s = new XzWriteSummary[1];

        byte[] out = reuse(2, BLOCK, longer, base, (x, y) -> false, s);

        assertEquals(0, s[0].reusedBlocks());
        XzTestFiles.assertAllDecoders(XzTestFiles.temp(dir, "longer.xz", out), longer);
    }

    /** Random edits (printed seed): output identical at 1 and 2 threads and decoding to the edited source. */
    @Test
    void writeReusing_randomEdits_threadIndependentAndExact() throws IOException {
        long seed = XzTestFiles.seed("hydrapi.xz.reusePropertySeed", System.nanoTime());
        Random rnd = new Random(seed);
        byte[] data = XzTestFiles.imageLike(rnd, 8 * BLOCK + rnd.nextInt(BLOCK), 4 << 10);
        Path base = xzUtils(data, "prop", "-T2", "--block-size=" + BLOCK, "-1");
        for (int round = 0; round < 3; round++) {
            byte[] modified = data.clone();
            List<Edit> edits = new ArrayList<>();
            for (int k = rnd.nextInt(4); k >= 0; k--) {
                int start = rnd.nextInt(data.length);
                int end = Math.min(data.length, start + 1 + rnd.nextInt(BLOCK / 2));
                for (int i = start; i < end; i++) {
                    modified[i] = (byte) rnd.nextInt(256);
                }
                edits.add(new Edit(start, end));
            }
            XzWriteSummary[] s1 = new XzWriteSummary[1];
            XzWriteSummary[] s2 = new XzWriteSummary[1];
            byte[] t1 = reuse(1, BLOCK, modified, base, touchedBy(edits), s1);
            byte[] t2 = reuse(2, BLOCK, modified, base, touchedBy(edits), s2);
            assertArrayEquals(t1, t2, "seed " + seed + " round " + round);
            Path out = XzTestFiles.temp(dir, "prop" + round + ".xz", t1);
            Oracles.assertXzTest(out);
            assertArrayEquals(modified, Oracles.check("bsdcat", out.toString()), "seed " + seed + " round " + round);
            assertTrue(s1[0].reusedBlocks() >= 9 - 2 * edits.size(), "seed " + seed + ": " + s1[0] + " " + edits);
        }
    }
}
