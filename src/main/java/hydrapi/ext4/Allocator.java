// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import hydrapi.ImageFullException;
import hydrapi.io.ByteRange;
import hydrapi.io.PreferredRanges;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Block and inode allocation with every counter kept in step: bitmap bit, group free count, superblock free count,
 * used-dirs count, itable_unused and the UNINIT flags (e2fsprogs alloc.c, alloc_stats.c; ext4-and-fat.md §6.2,
 * §6.3). Bitmaps stay in memory until {@link #flush}, the one place they are written.
 * Allocation is deterministic: lowest free inode from the goal group on; for blocks, first fit inside the preferred
 * ranges, then in the hint's cheapest ranges in its order, then from the goal on.
 */
final class Allocator {

    private final Ext4Volume vol;
    private final Superblock sb;
    private final GroupDescriptorTable gdt;
    private TreeMap<Integer, Bitmap> blockBitmaps = new TreeMap<>();
    private TreeMap<Integer, Bitmap> inodeBitmaps = new TreeMap<>();

    /** Where new blocks go first; set by the writer's user, e.g. the build's dirty compressed blocks. */
    private PreferredRanges preferred = PreferredRanges.NONE;

    Allocator(Ext4Volume vol) {
        this.vol = vol;
        this.sb = vol.superblock();
        this.gdt = vol.groupDescriptors();
    }

    void prefer(PreferredRanges ranges) {
        this.preferred = ranges;
    }

    /** What {@link #restore} needs to undo everything since: bitmaps, descriptor table and superblock bytes. */
    record Snapshot(TreeMap<Integer, byte[]> blocks, TreeMap<Integer, byte[]> inodes, byte[] gdt, byte[] sb) {
    }

    Snapshot snapshot() {
        TreeMap<Integer, byte[]> b = new TreeMap<>();
        blockBitmaps.forEach((g, bm) -> b.put(g, bm.bytes().clone()));
        TreeMap<Integer, byte[]> i = new TreeMap<>();
        inodeBitmaps.forEach((g, bm) -> i.put(g, bm.bytes().clone()));
        return new Snapshot(b, i, gdt.bytes().clone(), sb.bytes().clone());
    }

    void restore(Snapshot s) {
        blockBitmaps = new TreeMap<>();
        s.blocks().forEach((g, bytes) -> blockBitmaps.put(g, new Bitmap(bytes)));
        inodeBitmaps = new TreeMap<>();
        s.inodes().forEach((g, bytes) -> inodeBitmaps.put(g, new Bitmap(bytes)));
        System.arraycopy(s.gdt(), 0, gdt.bytes(), 0, s.gdt().length);
        System.arraycopy(s.sb(), 0, sb.bytes(), 0, s.sb().length);
    }

    private Bitmap blockBitmap(int g) throws IOException {
        Bitmap bm = blockBitmaps.get(g);
        if (bm == null) {
            GroupDescriptor gd = gdt.get(g);
            if (gd.hasFlag(GroupDescriptor.BLOCK_UNINIT)) {
                bm = Bitmap.uninitBlocks(sb, gd);
                long free = bm.countClear(sb.blocksInGroup(g));
                if (free != gd.freeBlocksCount()) {
                    throw new CorruptImageException("ext4: group " + g + " is BLOCK_UNINIT with " + gd.freeBlocksCount()
                            + " free blocks, but its layout leaves " + free + "; run e2fsck");
                }
            } else {
                byte[] b = vol.readBlock(gd.blockBitmapBlock());
                bm = new Bitmap(b);
                long computed = bm.checksum(vol.csumSeed(), (int) (sb.blocksPerGroup() / 8)) & gd.bitmapChecksumMask();
                if (computed != gd.blockBitmapChecksum()) {
                    throw new CorruptImageException(String.format("ext4: group %d block bitmap checksum 0x%x !="
                            + " computed 0x%x; image already damaged, run e2fsck", g, gd.blockBitmapChecksum(),
                            computed));
                }
            }
            blockBitmaps.put(g, bm);
        }
        return bm;
    }

    private Bitmap inodeBitmap(int g) throws IOException {
        Bitmap bm = inodeBitmaps.get(g);
        if (bm == null) {
            GroupDescriptor gd = gdt.get(g);
            if (gd.hasFlag(GroupDescriptor.INODE_UNINIT)) {
                bm = Bitmap.uninitInodes(sb.blockSize(), sb.inodesPerGroup());
            } else {
                bm = new Bitmap(vol.readBlock(gd.inodeBitmapBlock()));
                long computed = bm.checksum(vol.csumSeed(), (int) (sb.inodesPerGroup() / 8)) & gd.bitmapChecksumMask();
                if (computed != gd.inodeBitmapChecksum()) {
                    throw new CorruptImageException(String.format("ext4: group %d inode bitmap checksum 0x%x !="
                            + " computed 0x%x; image already damaged, run e2fsck", g, gd.inodeBitmapChecksum(),
                            computed));
                }
            }
            inodeBitmaps.put(g, bm);
        }
        return bm;
    }

    /** Allocates the lowest free inode, searching from {@code goalGroup} on (and wrapping). */
    long allocInode(int goalGroup, boolean directory) throws IOException {
        int groups = sb.groupCount();
        long ipg = sb.inodesPerGroup();
        for (int k = 0; k < groups; k++) {
            int g = (goalGroup + k) % groups;
            GroupDescriptor gd = gdt.get(g);
            if (gd.freeInodesCount() == 0) {
                continue;
            }
            Bitmap bm = inodeBitmap(g);
            long from = g == 0 ? sb.firstIno() - 1 : 0;
            long idx = bm.firstClear(from, ipg);
            if (idx < 0) {
                continue;
            }
            if (gd.hasFlag(GroupDescriptor.INODE_UNINIT)) {
                gd.setFlags(gd.flags() & ~GroupDescriptor.INODE_UNINIT);
                gd.setItableUnused(ipg);
            }
            long watermark = ipg - gd.itableUnused();
            if (idx >= watermark) {
                if (!gd.hasFlag(GroupDescriptor.ITABLE_ZEROED)) {
                    // Slots above the old watermark may hold garbage; e2fsck reads all below the new one (§6.3).
                    long start = gd.inodeTableBlock() * sb.blockSize() + watermark * sb.inodeSize();
                    vol.device().write(start, new byte[(int) ((idx + 1 - watermark) * sb.inodeSize())]);
                }
                gd.setItableUnused(ipg - idx - 1);
            }
            bm.set(idx, true);
            gd.setFreeInodesCount(gd.freeInodesCount() - 1);
            sb.setFreeInodesCount(sb.freeInodesCount() - 1);
            if (directory) {
                gd.setUsedDirsCount(gd.usedDirsCount() + 1);
            }
            return (long) g * ipg + idx + 1;
        }
        throw new ImageFullException("ext4: 1 inode needed, " + sb.freeInodesCount() + " free in the root filesystem"
                + (sb.freeInodesCount() > 0 ? " (descriptors disagree; run e2fsck)" : "") + "; use a larger image");
    }

    /**
     * Allocates {@code count} blocks as few runs as first fit gives; each run lies in one group. Free blocks inside
     * the preferred ranges come first (in ascending order), then those in the hint's cheapest ranges (in its
     * order), then first fit from {@code goal} to the end, then from the first data block to {@code goal}. Returns
     * {start, length} pairs.
     */
    List<long[]> allocBlocks(long count, long goal) throws IOException {
        if (count > sb.freeBlocksCount()) {
            throw new ImageFullException("ext4: " + count + " blocks needed, " + sb.freeBlocksCount()
                    + " free in the root filesystem; use a larger image");
        }
        List<long[]> runs = new ArrayList<>();
        long left = count;
        long first = sb.firstDataBlock();
        long end = sb.blocksCount();
        for (long[] r : preferredBlocks(first, end)) {
            left -= take(r[0], r[1], left, runs);
        }
        if (left > 0) {
            for (long[] r : blocksIn(preferred.cheapest(), first, end)) {
                left -= take(r[0], r[1], left, runs);
                if (left == 0) {
                    break;
                }
            }
        }
        long from = Math.max(first, Math.min(end, goal));
        left -= take(from, end, left, runs);
        left -= take(first, from, left, runs);
        if (left > 0) {
            throw new ImageFullException("ext4: out of free blocks in the root filesystem; use a larger image");
        }
        return runs;
    }

    /** The preferred byte ranges as whole blocks [first, end) inside [lo, hi). */
    private List<long[]> preferredBlocks(long lo, long hi) throws IOException {
        return blocksIn(preferred.now(), lo, hi);
    }

    /** Byte ranges as whole blocks [first, end) inside [lo, hi), in their order. */
    private List<long[]> blocksIn(List<ByteRange> ranges, long lo, long hi) {
        List<long[]> out = new ArrayList<>();
        long bs = sb.blockSize();
        for (ByteRange r : ranges) {
            long s = Math.max(lo, (r.startBytes() + bs - 1) / bs);
            long e = Math.min(hi, r.endBytes() / bs);
            if (s < e) {
                out.add(new long[] {s, e});
            }
        }
        return out;
    }

    /** First fit of up to {@code want} free blocks in [from, to), appended to {@code runs}; returns how many. */
    private long take(long from, long to, long want, List<long[]> runs) throws IOException {
        long first = sb.firstDataBlock();
        long got = 0;
        long block = from;
        while (got < want && block < to) {
            int g = (int) ((block - first) / sb.blocksPerGroup());
            long start = first + (long) g * sb.blocksPerGroup();
            long groupEnd = Math.min(to, start + sb.blocksInGroup(g));
            GroupDescriptor gd = gdt.get(g);
            if (gd.freeBlocksCount() > 0) {
                Bitmap bm = blockBitmap(g);
                long bit = block - start;
                long endBit = groupEnd - start;
                while (got < want && bit < endBit) {
                    long s = bm.firstClear(bit, endBit);
                    if (s < 0) {
                        break;
                    }
                    long e = s;
                    while (e < endBit && !bm.get(e) && e - s < want - got) {
                        e++;
                    }
                    for (long b = s; b < e; b++) {
                        bm.set(b, true);
                    }
                    runs.add(new long[] {start + s, e - s});
                    got += e - s;
                    gd.setFreeBlocksCount(gd.freeBlocksCount() - (e - s));
                    sb.setFreeBlocksCount(sb.freeBlocksCount() - (e - s));
                    gd.setFlags(gd.flags() & ~GroupDescriptor.BLOCK_UNINIT);
                    bit = e;
                }
            }
            block = start + sb.blocksPerGroup();
        }
        return got;
    }

    long allocBlock(long goal) throws IOException {
        return allocBlocks(1, goal).get(0)[0];
    }

    /** Whether block {@code blockNo} lies wholly inside the preferred ranges. */
    boolean isPreferred(long blockNo) throws IOException {
        long bs = sb.blockSize();
        for (ByteRange r : preferred.now()) {
            if (r.startBytes() <= blockNo * bs && (blockNo + 1) * bs <= r.endBytes()) {
                return true;
            }
        }
        return false;
    }

    /** One free block inside the preferred ranges, allocated, or -1 when they have none (nothing is allocated). */
    long allocPreferredBlock() throws IOException {
        List<long[]> runs = new ArrayList<>();
        for (long[] r : preferredBlocks(sb.firstDataBlock(), sb.blocksCount())) {
            if (take(r[0], r[1], 1, runs) == 1) {
                return runs.get(0)[0];
            }
        }
        return -1;
    }

    /** Frees a file's data extents, then its extent tree's blocks: how every caller drops a file's blocks. */
    void freeTree(ExtentTree tree) throws IOException {
        for (Extent e : tree.extents()) {
            freeBlocks(e.physicalBlock(), e.length());
        }
        freeTreeBlocks(tree);
    }

    /** Frees the index and leaf blocks of an extent tree (its data stays), before the tree is written anew. */
    void freeTreeBlocks(ExtentTree tree) throws IOException {
        for (long b : tree.treeBlocks()) {
            freeBlocks(b, 1);
        }
    }

    void freeBlocks(long start, long count) throws IOException {
        for (long b = start; b < start + count; b++) {
            int g = (int) ((b - sb.firstDataBlock()) / sb.blocksPerGroup());
            long bit = (b - sb.firstDataBlock()) % sb.blocksPerGroup();
            Bitmap bm = blockBitmap(g);
            if (!bm.get(bit)) {
                throw new CorruptImageException("ext4: block " + b + " is freed twice; run e2fsck");
            }
            bm.set(bit, false);
            GroupDescriptor gd = gdt.get(g);
            gd.setFreeBlocksCount(gd.freeBlocksCount() + 1);
            sb.setFreeBlocksCount(sb.freeBlocksCount() + 1);
        }
    }

    /** Clears an inode's bitmap bit and gives it back to the group and superblock counts (alloc_stats.c). */
    void freeInode(long inodeNo, boolean directory) throws IOException {
        long ipg = sb.inodesPerGroup();
        int g = (int) ((inodeNo - 1) / ipg);
        long idx = (inodeNo - 1) % ipg;
        Bitmap bm = inodeBitmap(g);
        if (!bm.get(idx)) {
            throw new CorruptImageException("ext4: inode " + inodeNo + " is freed twice; run e2fsck");
        }
        bm.set(idx, false);
        GroupDescriptor gd = gdt.get(g);
        gd.setFreeInodesCount(gd.freeInodesCount() + 1);
        sb.setFreeInodesCount(sb.freeInodesCount() + 1);
        if (directory) {
            gd.setUsedDirsCount(gd.usedDirsCount() - 1);
        }
    }

    /**
     * Writes the changed bitmaps, then their checksums into the descriptors, then every descriptor checksum and
     * the table, then the superblock with its checksum: the dependency order of closefs.c (ext4-and-fat.md §7).
     */
    void flush(long writeTimeSeconds) throws IOException {
        int bs = sb.blockSize();
        int seed = vol.csumSeed();
        for (Map.Entry<Integer, Bitmap> e : blockBitmaps.entrySet()) {
            GroupDescriptor gd = gdt.get(e.getKey());
            if (!gd.hasFlag(GroupDescriptor.BLOCK_UNINIT)) {
                vol.device().write(gd.blockBitmapBlock() * bs, e.getValue().bytes());
                gd.setBlockBitmapChecksum(e.getValue().checksum(seed, (int) (sb.blocksPerGroup() / 8)));
            }
        }
        for (Map.Entry<Integer, Bitmap> e : inodeBitmaps.entrySet()) {
            GroupDescriptor gd = gdt.get(e.getKey());
            if (!gd.hasFlag(GroupDescriptor.INODE_UNINIT)) {
                vol.device().write(gd.inodeBitmapBlock() * bs, e.getValue().bytes());
                gd.setInodeBitmapChecksum(e.getValue().checksum(seed, (int) (sb.inodesPerGroup() / 8)));
            }
        }
        for (GroupDescriptor gd : gdt.all()) {
            gd.updateChecksum(sb.features(), seed, sb.uuidBytes());
        }
        vol.device().write(gdt.firstBlockNo() * bs, gdt.bytes());
        sb.setWriteTimeSeconds(writeTimeSeconds);
        sb.updateChecksum();
        vol.device().write(Superblock.OFFSET_BYTES, sb.bytes());
    }
}
