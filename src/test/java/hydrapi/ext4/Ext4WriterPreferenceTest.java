// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.io.ByteRange;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;
import hydrapi.io.PreferredRanges;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement inside preferred ranges (what the build uses to fill already-dirty compressed blocks first), judged by
 * debugfs's block lists and dumpe2fs's free-block lists, with e2fsck clean. The bookworm fixture (4 KiB blocks,
 * groups of 2048) has free blocks 1512-2047, 2081-4095, 5120-6143 and 6177-8191, so first fit from the root's group
 * lands at 1512: anything at 5000 and above is there because it was preferred.
 */
class Ext4WriterPreferenceTest {

    private static final Instant T = Instant.parse("2026-05-06T07:08:09Z");
    private static final int BS = 4096;

    private static PreferredRanges blocks(long... startEnd) {
        List<ByteRange> r = new ArrayList<>();
        for (int i = 0; i < startEnd.length; i += 2) {
            r.add(new ByteRange(startEnd[i] * BS, startEnd[i + 1] * BS));
        }
        return () -> r;
    }

    private static List<Long> blocksOf(Path img, String path) throws IOException {
        String out = new String(Oracles.check("debugfs", "-R", "blocks " + path, img.toString()),
                StandardCharsets.UTF_8).trim();
        return Arrays.stream(out.split("\\s+")).map(Long::parseLong).toList();
    }

    private static byte[] data(int blocks, long seed) {
        byte[] b = new byte[blocks * BS - 100];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void file_goesIntoThePreferredFreeBlocks(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        w.preferBlocksIn(blocks(7000, 7100));
        byte[] a = data(50, 1);
        w.mkdirs("/pref", 0755, 0, 0, T);
        w.writeFile("/pref/a.bin", a, 0644, 0, 0, T);
        w.flush();
        Ext4WriterTest.writeBack(ov, img);

        Oracles.assertE2fsckClean(img, 0);
        assertArrayEquals(a, Oracles.debugfsCat(img, 0, "/pref/a.bin"));
        List<Long> got = blocksOf(img, "/pref/a.bin");
        assertEquals(50, got.size());
        assertTrue(got.stream().allMatch(b -> b >= 7000 && b < 7100), "blocks of /pref/a.bin: " + got);
        List<Long> dir = blocksOf(img, "/pref");
        assertTrue(dir.stream().allMatch(b -> b >= 7000 && b < 7100), "the directory's block too: " + dir);
    }

    @Test
    void preferredRangesAreUsedUpInOrder_thenFirstFit_andOnlyWholeFreeBlocksCount(@TempDir Path tmp)
            throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        // 5100-5129: blocks 5100-5119 are in use, so only 5120-5129 are free. 7000-7005 starts one byte into 7000,
        // so only 7001-7004 are whole blocks inside it.
        List<ByteRange> r = List.of(new ByteRange(5100L * BS, 5130L * BS), new ByteRange(7000L * BS + 1,
                7005L * BS));
        w.preferBlocksIn(() -> r);
        byte[] a = data(30, 2);
        w.writeFile("/b.bin", a, 0644, 0, 0, T);
        w.flush();
        Ext4WriterTest.writeBack(ov, img);

        Oracles.assertE2fsckClean(img, 0);
        assertArrayEquals(a, Oracles.debugfsCat(img, 0, "/b.bin"));
        List<Long> got = blocksOf(img, "/b.bin");
        List<Long> want = new ArrayList<>();
        for (long b = 5120; b < 5130; b++) {
            want.add(b);
        }
        for (long b = 7001; b < 7005; b++) {
            want.add(b);
        }
        for (long b = 1512; b < 1528; b++) {
            want.add(b); // the rest by first fit, from the root's group
        }
        assertEquals(want, got);
    }

    /** With the preferred ranges full, new blocks go to the hint's cheapest ranges in its order, not by first fit. */
    @Test
    void cheapestRanges_comeAfterThePreferredAndBeforeFirstFit(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        // 5100-5119 are in use: the first cheap range has nothing free; the second has 20 blocks; then 7500-7510.
        List<ByteRange> cheap = List.of(new ByteRange(5100L * BS, 5120L * BS), new ByteRange(6500L * BS,
                6520L * BS), new ByteRange(7500L * BS, 7510L * BS));
        w.preferBlocksIn(new PreferredRanges() {
            @Override
            public List<ByteRange> now() {
                return List.of(new ByteRange(7000L * BS, 7004L * BS));
            }

            @Override
            public List<ByteRange> cheapest() {
                return cheap;
            }
        });
        byte[] a = data(40, 5);
        w.writeFile("/c.bin", a, 0644, 0, 0, T);
        w.flush();
        Ext4WriterTest.writeBack(ov, img);

        Oracles.assertE2fsckClean(img, 0);
        assertArrayEquals(a, Oracles.debugfsCat(img, 0, "/c.bin"));
        List<Long> want = new ArrayList<>();
        for (long[] run : new long[][] {{7000, 7004}, {6500, 6520}, {7500, 7510}, {1512, 1518}}) {
            for (long b = run[0]; b < run[1]; b++) {
                want.add(b);
            }
        }
        assertEquals(want, blocksOf(img, "/c.bin"));
    }

    /**
     * An entry added to existing directories whose blocks lie outside the preferred ranges moves those blocks into
     * them (the extent tree remapped, the old blocks freed), whether the directory is linear or an htree, its leaf
     * split or not.
     */
    @Test
    void changedDirectoryBlocks_moveIntoThePreferredRange(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        List<Long> manyBefore = blocksOf(img, "/etc/many");
        List<Long> etcBefore = blocksOf(img, "/etc");
        assertTrue(manyBefore.stream().noneMatch(b -> b >= 7000 && b < 7400), "/etc/many at " + manyBefore);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        w.preferBlocksIn(blocks(7000, 7400));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String n = "moved-" + i + "-" + "x".repeat(i % 40);
            names.add(n);
            w.writeFile("/etc/many/" + n, new byte[] {(byte) i}, 0644, 0, 0, T);
        }
        w.writeFile("/etc/one-more", new byte[0], 0644, 0, 0, T);
        w.flush();
        Ext4WriterTest.writeBack(ov, img);

        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, java.nio.file.Files.size(img));
        List<Long> many = blocksOf(img, "/etc/many");
        assertTrue(many.size() > manyBefore.size(), "leaves were split: " + manyBefore + " → " + many);
        assertTrue(many.stream().allMatch(b -> b >= 7000 && b < 7400), "every changed block moved: " + many);
        List<Long> etc = blocksOf(img, "/etc");
        assertTrue(etc.stream().anyMatch(b -> b >= 7000 && b < 7400) && !etc.equals(etcBefore), "/etc: " + etcBefore
                + " → " + etc);
        java.util.TreeSet<String> listed = Ext4WriterHtreeTest.debugfsNames(img, "/etc/many", tmp);
        assertTrue(listed.containsAll(names), "every new name listed");
        assertArrayEquals(new byte[] {(byte) 299}, Oracles.debugfsCat(img, 0, "/etc/many/" + names.get(299)));
        // e2fsck above finds any old block left marked in use with no owner (block bitmap differences).
    }

    @Test
    void livePreference_followsWhatTheOverlayHasTouchedSince(@TempDir Path tmp) throws IOException {
        // The build's hint: fixed cells of the device, preferred once any byte in them was written.
        Path img = Ext4Fixtures.copy("bookworm", tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        long cell = 256L * BS;
        w.preferBlocksIn(() -> {
            List<ByteRange> out = new ArrayList<>();
            for (long s = 0; s < ov.sizeBytes(); s += cell) {
                if (ov.touches(s, s + cell)) {
                    out.add(new ByteRange(s, s + cell));
                }
            }
            return out;
        });
        // Something else (in the build: another filesystem, or metadata) dirties the free cell 6912-7167.
        ov.write(7000L * BS, ov.read(7000L * BS, BS));
        byte[] f0 = data(8, 3);
        w.writeFile("/f0", f0, 0644, 0, 0, T);
        // More than the cell has left: it is filled up before anything else is dirtied.
        byte[] f1 = data(400, 4);
        w.writeFile("/f1", f1, 0644, 0, 0, T);
        w.flush();
        Ext4WriterTest.writeBack(ov, img);

        Oracles.assertE2fsckClean(img, 0);
        assertArrayEquals(f0, Oracles.debugfsCat(img, 0, "/f0"));
        assertArrayEquals(f1, Oracles.debugfsCat(img, 0, "/f1"));
        List<Long> b0 = blocksOf(img, "/f0");
        assertTrue(b0.stream().allMatch(b -> b >= 6912 && b < 7168), "blocks of /f0: " + b0);
        String dump = new String(Oracles.check("dumpe2fs", img.toString()), StandardCharsets.UTF_8);
        assertTrue(dump.contains("Free blocks: 6177-6911, 7168-8191"), "cell 6912-7167 is full:\n" + dump);
    }
}
