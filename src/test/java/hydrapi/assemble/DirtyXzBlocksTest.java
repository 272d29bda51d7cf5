// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.image.ImageView;
import hydrapi.io.ByteRange;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;
import hydrapi.plan.ImagePlan;
import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's placement hint: which base xz blocks are dirty, and that the plan's ext4 writes go into them (judged by
 * debugfs's block lists and e2fsck on the written image).
 */
class DirtyXzBlocksTest {

    private static final long MIB = 1 << 20;

    @Test
    void now_listsTouchedBlocks_mergingNeighbours_andFollowsLaterTouches() throws IOException {
        List<ByteRange> blocks = List.of(new ByteRange(0, 10), new ByteRange(10, 20), new ByteRange(20, 30),
                new ByteRange(30, 35));
        Set<Long> dirty = new TreeSet<>();
        DirtyXzBlocks d = new DirtyXzBlocks(blocks, (s, e) -> dirty.stream().anyMatch(b -> b >= s && b < e));
        assertEquals(List.of(), d.now());
        dirty.add(12L);
        dirty.add(0L);
        assertEquals(List.of(new ByteRange(0, 20)), d.now());
        dirty.add(34L);
        assertEquals(List.of(new ByteRange(0, 20), new ByteRange(30, 35)), d.now());
        // As a partition starting at 15 sees it.
        assertEquals(List.of(new ByteRange(0, 5), new ByteRange(15, 18)), d.window(15, 18).now());
    }

    @Test
    void cheapest_listsCleanBlocksBySizeAndSeesThemThroughAWindow() throws IOException {
        List<ByteRange> blocks = List.of(new ByteRange(0, 10), new ByteRange(10, 20), new ByteRange(20, 30),
                new ByteRange(30, 35));
        Set<Long> dirty = new TreeSet<>();
        DirtyXzBlocks d = new DirtyXzBlocks(blocks, List.of(500L, 40L, 40L, 7L), (s, e) -> dirty.stream()
                .anyMatch(b -> b >= s && b < e));
        assertEquals(List.of(new ByteRange(30, 35), new ByteRange(10, 20), new ByteRange(20, 30),
                new ByteRange(0, 10)), d.cheapest(), "by size, ties by offset");
        dirty.add(31L);
        assertEquals(List.of(new ByteRange(10, 20), new ByteRange(20, 30), new ByteRange(0, 10)), d.cheapest());
        // As a partition over [15, 30) sees it: block 10-20 clipped to its first 5 bytes, 20-30 whole.
        assertEquals(List.of(new ByteRange(0, 5), new ByteRange(5, 15)), d.window(15, 15).cheapest());
        assertEquals(List.of(), new DirtyXzBlocks(blocks, (s, e) -> false).cheapest(), "no sizes, no opinion");
    }

    /**
     * The sample's root (partition 2, 40 MiB at 44 MiB) has its free space at its end. With 1 MiB "xz blocks" and
     * one near the root's end made dirty by another write, new files go there instead of where first fit would put
     * them; once a file of the plan has dirtied a block, the next one fills it too.
     */
    @Test
    void plan_fillsDirtyBlocksFirst(@TempDir Path tmp) throws IOException {
        Path raw = tmp.resolve("disk.img");
        Oracles.xzDecompress(Path.of("testdata/sample-base.img.xz"), raw);
        List<ByteRange> grid = mibGrid(Files.size(raw));
        long rootStart = 90112L * 512;
        long dirtyBlock = rootStart + 38 * MIB;
        String freeBefore = dumpe2fs(raw, rootStart);
        assertTrue(freeBefore.contains("-10239"), "the sample's root ends in free blocks:\n" + freeBefore);

        byte[] a = new byte[300_000];
        byte[] b = new byte[900_000];
        new Random(7).nextBytes(a);
        new Random(8).nextBytes(b);
        try (OverlayDevice disk = new OverlayDevice(FileBlockDevice.openReadOnly(raw))) {
            ImageView view = ImageView.open(disk, "sample");
            PlanApplier applier = new PlanApplier(view, Instant.parse("2026-01-01T00:00:00Z"), Map.of());
            applier.preferDirtyBlocks(grid, disk);
            disk.write(dirtyBlock + 4096, disk.read(dirtyBlock + 4096, 4096)); // a write of some other kind
            applier.apply(ImagePlan.of(List.of(
                    FileSpec.file("/opt/a.bin", 0644, new Content.Bytes(a)),
                    FileSpec.file("/srv/b.bin", 0644, new Content.Bytes(b)))));
            applier.flush();
            writeBack(disk, raw);
        }
        Oracles.assertE2fsckClean(raw, rootStart);
        assertArrayEquals(a, Oracles.debugfsCat(raw, rootStart, "/opt/a.bin"));
        assertArrayEquals(b, Oracles.debugfsCat(raw, rootStart, "/srv/b.bin"));
        // Filesystem blocks of 4 KiB: the dirty 1 MiB block is root blocks 9728-9983, the next one 9984-10239.
        List<Long> blocksA = blocks(raw, rootStart, "/opt/a.bin");
        assertTrue(blocksA.stream().allMatch(x -> x >= 9728 && x < 9984), "/opt/a.bin at " + blocksA);
        // b does not fit in what a left of that block: the rest goes by first fit, but the block is full first.
        List<Long> blocksB = blocks(raw, rootStart, "/srv/b.bin");
        long inDirty = blocksB.stream().filter(x -> x >= 9728 && x < 9984).count();
        assertEquals(256 - blocksA.size() - dirsIn(raw, rootStart, 9728, 9984), inDirty, "/srv/b.bin at " + blocksB);
    }

    /** Before the flush, the blocks a file went to are dirty in the filesystem's own overlay only: they count. */
    @Test
    void hint_seesWritesNotYetFlushed(@TempDir Path tmp) throws IOException {
        Path raw = tmp.resolve("disk.img");
        Oracles.xzDecompress(Path.of("testdata/sample-base.img.xz"), raw);
        List<ByteRange> grid = mibGrid(Files.size(raw));
        long rootStart = 90112L * 512;
        List<ByteRange> dirty;
        try (OverlayDevice disk = new OverlayDevice(FileBlockDevice.openReadOnly(raw))) {
            PlanApplier applier = new PlanApplier(ImageView.open(disk, "sample"),
                    Instant.parse("2026-01-01T00:00:00Z"), Map.of());
            applier.preferDirtyBlocks(grid, disk);
            assertEquals(List.of(), applier.preferred().now());
            applier.apply(ImagePlan.of(List.of(FileSpec.file("/etc/c.bin", 0644,
                    new Content.Bytes(new byte[3 * (int) MIB])))));
            dirty = applier.preferred().now();
            applier.flush();
            writeBack(disk, raw);
        }
        for (long blk : blocks(raw, rootStart, "/etc/c.bin")) {
            long at = rootStart + blk * 4096;
            assertTrue(dirty.stream().anyMatch(r -> r.overlaps(at, at + 4096)), "block " + blk + " not in " + dirty);
        }
    }

    /** Stand-ins for the base's xz blocks: 1 MiB each. */
    private static List<ByteRange> mibGrid(long size) {
        List<ByteRange> grid = new ArrayList<>();
        for (long s = 0; s < size; s += MIB) {
            grid.add(new ByteRange(s, Math.min(size, s + MIB)));
        }
        return grid;
    }

    /** Copies what the overlay changed into the image file, for the oracles to read. */
    private static void writeBack(OverlayDevice disk, Path raw) throws IOException {
        try (FileBlockDevice out = FileBlockDevice.openReadWrite(raw)) {
            for (ByteRange r : disk.changedRanges()) {
                out.write(r.startBytes(), disk.read(r.startBytes(), (int) r.lengthBytes()));
            }
        }
    }

    private static String dumpe2fs(Path img, long offset) throws IOException {
        return new String(Oracles.check("dumpe2fs", "-o", "superblock=0", img + "?offset=" + offset),
                StandardCharsets.UTF_8);
    }

    private static List<Long> blocks(Path img, long offset, String path) throws IOException {
        String out = new String(Oracles.check("debugfs", "-R", "blocks " + path, img + "?offset=" + offset),
                StandardCharsets.UTF_8).trim();
        return Arrays.stream(out.split("\\s+")).map(Long::parseLong).toList();
    }

    /** Blocks of the new directories /opt and /srv inside [from, to). */
    private static long dirsIn(Path img, long offset, long from, long to) throws IOException {
        long n = 0;
        for (String d : List.of("/opt", "/srv")) {
            n += blocks(img, offset, d).stream().filter(x -> x >= from && x < to).count();
        }
        return n;
    }
}
