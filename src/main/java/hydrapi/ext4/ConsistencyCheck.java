// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.HydrapiException;
import hydrapi.io.LittleEndian;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * hydrapi's own walk of an ext4 filesystem for {@code verify}, modelled on what e2fsck passes 1, 2, 4 and 5 look at:
 * every checksum (group descriptors, bitmaps, inodes, extent blocks, directory leaves, htree nodes), block and inode
 * usage against the bitmaps, free counts (group and superblock), directory structure and htree ordering, and link
 * counts. Problems are collected, one line each; a damaged structure does not stop the walk.
 */
final class ConsistencyCheck {

    /** Stop listing after this many problems; a broken image would otherwise produce thousands of lines. */
    private static final int MAX_PROBLEMS = 200;

    private static final long RESIZE_INODE = 7;

    private final Ext4Volume vol;
    private final Superblock sb;
    private final Features f;
    private final List<String> problems = new ArrayList<>();
    private final BitSet usedBlocks = new BitSet();
    private final Bitmap[] blockBitmaps;
    private final Bitmap[] inodeBitmaps;
    /** In-use inode → i_mode, for the directory walk. */
    private final TreeMap<Long, Integer> modes = new TreeMap<>();
    private final TreeMap<Long, Integer> linkCounts = new TreeMap<>();
    private final Map<Long, Integer> references = new HashMap<>();

    ConsistencyCheck(Ext4Volume vol) {
        this.vol = vol;
        this.sb = vol.superblock();
        this.f = sb.features();
        this.blockBitmaps = new Bitmap[sb.groupCount()];
        this.inodeBitmaps = new Bitmap[sb.groupCount()];
    }

    List<String> run() throws IOException {
        if (sb.state() != 1) {
            problem("superblock state " + sb.state() + " is not clean (1)");
        }
        if (vol.journalNeedsRecovery()) {
            problem("journal needs recovery");
        }
        readBitmaps();
        markMetadataBlocks();
        scanInodes();
        walkDirectories();
        compareUsage();
        return List.copyOf(problems);
    }

    private void problem(String p) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(p);
        } else if (problems.size() == MAX_PROBLEMS) {
            problems.add("… more problems not listed");
        }
    }

    // ---- pass 5 inputs: bitmaps ---------------------------------------------------------------------------

    private void readBitmaps() throws IOException {
        int bs = sb.blockSize();
        int seed = vol.csumSeed();
        for (GroupDescriptor gd : vol.groupDescriptors().all()) {
            int g = gd.group();
            boolean uninit = f.groupDescriptorCsum();
            if (uninit && gd.hasFlag(GroupDescriptor.BLOCK_UNINIT)) {
                blockBitmaps[g] = Bitmap.uninitBlocks(sb, gd);
            } else {
                blockBitmaps[g] = new Bitmap(vol.readBlock(gd.blockBitmapBlock()));
                if (f.metadataCsum()) {
                    long computed = blockBitmaps[g].checksum(seed, (int) (sb.blocksPerGroup() / 8))
                            & gd.bitmapChecksumMask();
                    if (computed != gd.blockBitmapChecksum()) {
                        problem(String.format("group %d block bitmap (block %d) checksum 0x%x != computed 0x%x", g,
                                gd.blockBitmapBlock(), gd.blockBitmapChecksum(), computed));
                    }
                }
            }
            if (uninit && gd.hasFlag(GroupDescriptor.INODE_UNINIT)) {
                inodeBitmaps[g] = Bitmap.uninitInodes(bs, sb.inodesPerGroup());
            } else {
                inodeBitmaps[g] = new Bitmap(vol.readBlock(gd.inodeBitmapBlock()));
                if (f.metadataCsum()) {
                    long computed = inodeBitmaps[g].checksum(seed, (int) (sb.inodesPerGroup() / 8))
                            & gd.bitmapChecksumMask();
                    if (computed != gd.inodeBitmapChecksum()) {
                        problem(String.format("group %d inode bitmap (block %d) checksum 0x%x != computed 0x%x", g,
                                gd.inodeBitmapBlock(), gd.inodeBitmapChecksum(), computed));
                    }
                }
            }
            long freeBlocks = blockBitmaps[g].countClear(sb.blocksInGroup(g));
            if (freeBlocks != gd.freeBlocksCount()) {
                problem("group " + g + " free blocks count " + gd.freeBlocksCount() + " != " + freeBlocks
                        + " in its bitmap");
            }
            long freeInodes = inodeBitmaps[g].countClear(sb.inodesPerGroup());
            if (freeInodes != gd.freeInodesCount()) {
                problem("group " + g + " free inodes count " + gd.freeInodesCount() + " != " + freeInodes
                        + " in its bitmap");
            }
            if (inodeBitmaps[g].firstClear(sb.inodesPerGroup(), 8L * bs) >= 0) {
                problem("group " + g + " inode bitmap padding past s_inodes_per_group is not all ones");
            }
            if (blockBitmaps[g].firstClear(sb.blocksInGroup(g), 8L * bs) >= 0) {
                problem("group " + g + " block bitmap padding past the group's last block is not all ones");
            }
        }
    }

    /** Superblock copies, descriptor tables, reserved GDT blocks, bitmaps and inode tables. */
    private void markMetadataBlocks() {
        int bs = sb.blockSize();
        long itableBlocks = (sb.inodesPerGroup() * sb.inodeSize() + bs - 1) / bs;
        for (GroupDescriptor gd : vol.groupDescriptors().all()) {
            long g = gd.group();
            long start = sb.firstDataBlock() + g * sb.blocksPerGroup();
            if (sb.groupHasSuper(g)) {
                long meta = Math.min(1 + sb.gdtBlocks() + sb.reservedGdtBlocks(), sb.blocksInGroup(g));
                usedBlocks.set((int) start, (int) (start + meta));
            }
            usedBlocks.set((int) gd.blockBitmapBlock());
            usedBlocks.set((int) gd.inodeBitmapBlock());
            usedBlocks.set((int) gd.inodeTableBlock(), (int) (gd.inodeTableBlock() + itableBlocks));
        }
        if (sb.firstDataBlock() == 1) {
            // With 1 KiB blocks block 0 holds the boot sector and is never in a group.
            usedBlocks.clear(0);
        }
    }

    // ---- pass 1: inodes -----------------------------------------------------------------------------------

    private void scanInodes() throws IOException {
        long ipg = sb.inodesPerGroup();
        int isz = sb.inodeSize();
        long totalInodesUsed = 0;
        for (GroupDescriptor gd : vol.groupDescriptors().all()) {
            int g = gd.group();
            long limit = ipg;
            if (f.groupDescriptorCsum()) {
                limit = ipg - gd.itableUnused();
                if (gd.itableUnused() > ipg) {
                    problem("group " + g + " itable_unused " + gd.itableUnused() + " > s_inodes_per_group");
                    limit = 0;
                }
            }
            if (f.groupDescriptorCsum() && gd.hasFlag(GroupDescriptor.INODE_UNINIT)) {
                limit = 0;
            }
            long used = inodeBitmaps[g].firstSet(limit, ipg);
            if (used >= 0 && !(f.groupDescriptorCsum() && gd.hasFlag(GroupDescriptor.INODE_UNINIT))) {
                problem("group " + g + " inode " + (g * ipg + used + 1) + " is marked in use in the unused area"
                        + " (itable_unused " + gd.itableUnused() + ")");
            }
            byte[] table = limit == 0 ? new byte[0]
                    : vol.device().read(gd.inodeTableBlock() * sb.blockSize(), Math.toIntExact(limit * isz));
            long dirs = 0;
            for (long i = 0; i < limit; i++) {
                long ino = g * ipg + i + 1;
                boolean inUse = inodeBitmaps[g].get(i);
                if (!inUse) {
                    continue;
                }
                totalInodesUsed++;
                byte[] raw = new byte[isz];
                System.arraycopy(table, (int) (i * isz), raw, 0, isz);
                Inode inode = new Inode(ino, raw);
                if (f.metadataCsum() && !inode.verifyChecksum(vol.csumSeed())) {
                    problem(String.format("inode %d checksum 0x%x does not match its contents", ino,
                            inode.storedChecksum()));
                }
                if (ino < sb.firstIno() && inode.mode() == 0) {
                    continue;
                }
                if (inode.isDirectory()) {
                    dirs++;
                }
                if (ino >= sb.firstIno() || ino == Ext4Volume.ROOT_INODE) {
                    if (inode.linksCount() == 0 || inode.dtime() != 0) {
                        problem("inode " + ino + " is marked in use but deleted (links " + inode.linksCount()
                                + ", dtime " + inode.dtime() + ")");
                        continue;
                    }
                    modes.put(ino, inode.mode());
                    linkCounts.put(ino, inode.linksCount());
                }
                markInodeBlocks(inode);
            }
            if (dirs != gd.usedDirsCount()) {
                problem("group " + g + " used directories count " + gd.usedDirsCount() + " != " + dirs);
            }
        }
        long freeBlocks = 0;
        for (int g = 0; g < sb.groupCount(); g++) {
            freeBlocks += blockBitmaps[g].countClear(sb.blocksInGroup(g));
        }
        if (freeBlocks != sb.freeBlocksCount()) {
            problem("superblock free blocks count " + sb.freeBlocksCount() + " != " + freeBlocks + " in the bitmaps");
        }
        long freeInodes = sb.inodesCount() - totalInodesUsed;
        if (freeInodes != sb.freeInodesCount()) {
            problem("superblock free inodes count " + sb.freeInodesCount() + " != " + freeInodes
                    + " in the bitmaps");
        }
    }

    private void markInodeBlocks(Inode inode) throws IOException {
        long ino = inode.inodeNo();
        if (inode.fileAclBlock() != 0) {
            markBlocks(ino, inode.fileAclBlock(), 1);
        }
        boolean fastLink = inode.isSymlink() && !inode.hasFlag(Inode.EXTENTS_FL)
                && inode.sizeBytes() < Inode.I_BLOCK_BYTES;
        if (fastLink || inode.hasFlag(Inode.INLINE_DATA_FL)) {
            return;
        }
        if (ino == RESIZE_INODE && !inode.hasFlag(Inode.EXTENTS_FL)) {
            // resize_inode: its double-indirect block (i_block[13]) is its only block outside the reserved GDT
            // areas already counted as metadata (e2fsprogs res_gdt.c).
            long dind = LittleEndian.u32(inode.bytes(), Inode.I_BLOCK + 13 * 4);
            if (dind != 0) {
                markBlocks(ino, dind, 1);
            }
            return;
        }
        if (!inode.hasFlag(Inode.EXTENTS_FL)) {
            if ((inode.isRegularFile() || inode.isDirectory() || inode.isSymlink())) {
                problem("inode " + ino + " is block-mapped; its blocks were not checked");
            }
            return;
        }
        ExtentTree tree;
        try {
            tree = vol.extentTree(inode);
        } catch (HydrapiException e) {
            problem(e.getMessage());
            return;
        }
        long count = 0;
        for (long b : tree.treeBlocks()) {
            markBlocks(ino, b, 1);
            count++;
        }
        for (Extent e : tree.extents()) {
            markBlocks(ino, e.physicalBlock(), e.length());
            count += e.length();
        }
        if (inode.fileAclBlock() != 0) {
            count++;
        }
        long perBlock = sb.blockSize() / 512;
        long iblocks = inode.blocksRaw(f.hugeFile());
        long expected = f.hugeFile() && inode.hasFlag(Inode.HUGE_FILE_FL) ? count : count * perBlock;
        if (iblocks != expected) {
            problem("inode " + ino + " i_blocks " + iblocks + " != " + expected + " for its " + count + " blocks");
        }
    }

    private void markBlocks(long ino, long start, long count) {
        if (start <= sb.firstDataBlock() || start > sb.blocksCount() - count) {
            problem("inode " + ino + " claims blocks " + start + "+" + count + " outside the filesystem");
            return;
        }
        for (long b = start; b < start + count; b++) {
            if (usedBlocks.get((int) b)) {
                problem("block " + b + " of inode " + ino + " is also used by other metadata or another inode");
                return;
            }
            usedBlocks.set((int) b);
        }
    }

    // ---- pass 5: usage against bitmaps ---------------------------------------------------------------------

    private void compareUsage() {
        for (int g = 0; g < sb.groupCount(); g++) {
            long start = sb.firstDataBlock() + (long) g * sb.blocksPerGroup();
            int reported = 0;
            for (long k = 0; k < sb.blocksInGroup(g); k++) {
                boolean inBitmap = blockBitmaps[g].get(k);
                boolean used = usedBlocks.get((int) (start + k));
                if (inBitmap != used && reported++ < 3) {
                    problem("block " + (start + k) + " is " + (used ? "used but free" : "unused but marked in use")
                            + " in group " + g + "'s bitmap");
                }
            }
        }
    }

    // ---- passes 2 and 4: directories and link counts --------------------------------------------------------

    private void walkDirectories() throws IOException {
        Deque<long[]> todo = new ArrayDeque<>();
        todo.add(new long[] {Ext4Volume.ROOT_INODE, Ext4Volume.ROOT_INODE});
        java.util.Set<Long> seen = new java.util.HashSet<>();
        Map<Long, Integer> subdirs = new HashMap<>();
        while (!todo.isEmpty()) {
            long[] d = todo.poll();
            long dirNo = d[0];
            if (!seen.add(dirNo)) {
                problem("directory inode " + dirNo + " is reachable twice");
                continue;
            }
            Directory dir;
            try {
                dir = Directory.read(vol, vol.inode(dirNo));
            } catch (HydrapiException e) {
                problem(e.getMessage());
                continue;
            }
            List<DirEntry> entries = dir.entries();
            if (entries.size() < 2 || !entries.get(0).isDot() || entries.get(0).inodeNo() != dirNo
                    || !entries.get(1).isDotDot() || entries.get(1).inodeNo() != d[1]) {
                problem("directory inode " + dirNo + " does not start with '.' (itself) and '..' (inode " + d[1]
                        + ")");
            }
            if (dir.indexed()) {
                new HtreeCheck(sb, this::problem).check(dir);
            }
            for (DirEntry e : entries) {
                if (e.isDot() || e.isDotDot()) {
                    continue;
                }
                Integer mode = modes.get(e.inodeNo());
                if (mode == null) {
                    problem("directory inode " + dirNo + " entry '" + e.nameString() + "' names inode " + e.inodeNo()
                            + ", which is not in use");
                    continue;
                }
                references.merge(e.inodeNo(), 1, Integer::sum);
                if (f.filetype() && e.fileType() != DirEntry.fileTypeOf(mode)) {
                    problem("directory inode " + dirNo + " entry '" + e.nameString() + "' has file type "
                            + e.fileType() + " but the inode is type " + DirEntry.fileTypeOf(mode));
                }
                if ((mode & Inode.S_IFMT) == Inode.S_IFDIR) {
                    subdirs.merge(dirNo, 1, Integer::sum);
                    todo.add(new long[] {e.inodeNo(), dirNo});
                }
            }
        }
        for (Map.Entry<Long, Integer> m : modes.entrySet()) {
            long ino = m.getKey();
            boolean isDir = (m.getValue() & Inode.S_IFMT) == Inode.S_IFDIR;
            int refs = references.getOrDefault(ino, 0);
            if (ino == Ext4Volume.ROOT_INODE) {
                refs = 1;
            }
            if (refs == 0) {
                if (ino >= sb.firstIno() && ino != sb.journalInum() && !isReservedFeatureInode(ino)) {
                    problem("inode " + ino + " is in use but no directory names it");
                }
                continue;
            }
            int expected = isDir ? 2 + subdirs.getOrDefault(ino, 0) : refs;
            int actual = linkCounts.get(ino);
            boolean dirNlinkOverflow = isDir && actual == 1 && (f.roCompat() & Features.RO_COMPAT_DIR_NLINK) != 0;
            if (actual != expected && !dirNlinkOverflow) {
                problem("inode " + ino + " links count " + actual + " != " + expected);
            }
        }
    }

    /** The orphan file inode (s_orphan_file_inum at sb 0x280) lives in no directory. */
    private boolean isReservedFeatureInode(long ino) {
        return (f.compat() & Features.COMPAT_ORPHAN_FILE) != 0 && LittleEndian.u32(sb.bytes(), 0x280) == ino;
    }
}
