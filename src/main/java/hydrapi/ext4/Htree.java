// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import hydrapi.io.Crc32c;
import hydrapi.io.LittleEndian;
import java.util.ArrayList;
import java.util.List;

/**
 * htree index blocks of an INDEX_FL directory: the dx_root in logical block 0 and dx_node interior blocks. Layout:
 * e2fsprogs ext2_fs.h struct ext2_dx_root_info / ext2_dx_countlimit / ext2_dx_entry; tail checksum: csum.c
 * ext2fs_dx_csum (ext4-and-fat.md §10.2).
 */
public final class Htree {

    /** Offset of {limit, count} in the dx_root (after ".", ".." and dx_root_info). */
    public static final int ROOT_COUNT_OFFSET = 0x20;
    /** Offset of {limit, count} in a dx_node (after its fake empty dirent). */
    public static final int NODE_COUNT_OFFSET = 0x08;
    static final int DX_ROOT_INFO = 0x18;
    static final int ENTRY_BYTES = 8;
    static final int TAIL_BYTES = 8;
    /** Logical block numbers in dx entries use the low 28 bits (link.c masks with 0x0fffffff). */
    static final long BLOCK_MASK = 0x0FFFFFFFL;

    /** One dx entry: the lowest hash of its subtree (entry 0: implicitly 0) and a logical block. */
    public record DxEntry(int hash, long logicalBlock) {
    }

    /** A parsed index block: its entries, limit and where count/limit sit. */
    public record DxBlock(List<DxEntry> entries, int limit, int countOffset) {
        public DxBlock {
            entries = List.copyOf(entries);
        }
    }

    private Htree() {
    }

    /** dx_root_info.hash_version. */
    public static int rootHashVersion(byte[] root) {
        return LittleEndian.u8(root, DX_ROOT_INFO + 4);
    }

    /** dx_root_info.indirect_levels. */
    public static int rootIndirectLevels(byte[] root) {
        return LittleEndian.u8(root, DX_ROOT_INFO + 6);
    }

    /** Validates dx_root_info and its "." and ".." entries, then parses the entries. */
    public static DxBlock parseRoot(byte[] root, boolean metadataCsum, boolean largeDir, String where)
            throws CorruptImageException {
        int bs = root.length;
        if (LittleEndian.u16(root, 4) != 12 || LittleEndian.u8(root, 6) != 1 || root[8] != '.'
                || LittleEndian.u16(root, 12 + 4) != bs - 12 || LittleEndian.u8(root, 12 + 6) != 2
                || root[12 + 8] != '.' || root[12 + 9] != '.') {
            throw new CorruptImageException(where + ": htree root does not start with '.' and '..'; run e2fsck");
        }
        int infoLength = LittleEndian.u8(root, DX_ROOT_INFO + 5);
        int levels = rootIndirectLevels(root);
        int version = rootHashVersion(root);
        if (LittleEndian.u32(root, DX_ROOT_INFO) != 0 || infoLength != 8 || version > DirHash.TEA
                || levels > (largeDir ? 2 : 1)) {
            throw new CorruptImageException(where + ": htree root info (hash version " + version + ", info length "
                    + infoLength + ", levels " + levels + ") is invalid; run e2fsck");
        }
        return parse(root, ROOT_COUNT_OFFSET, metadataCsum, where);
    }

    /** Parses a dx_node: a fake dirent {inode 0, rec_len bs} followed by count/limit. */
    public static DxBlock parseNode(byte[] node, boolean metadataCsum, String where) throws CorruptImageException {
        if (LittleEndian.u32(node, 0) != 0 || DirectoryBlock.recLen(node, 0, node.length) != node.length
                || LittleEndian.u8(node, 6) != 0) {
            throw new CorruptImageException(where + ": htree node has no empty leading entry; run e2fsck");
        }
        return parse(node, NODE_COUNT_OFFSET, metadataCsum, where);
    }

    /** The exact limit e2fsck expects: entries fitting in the block, minus the dx tail with metadata_csum. */
    public static int expectedLimit(int blockSize, int countOffset, boolean metadataCsum) {
        return (blockSize - countOffset - (metadataCsum ? TAIL_BYTES : 0)) / ENTRY_BYTES;
    }

    private static DxBlock parse(byte[] b, int countOffset, boolean metadataCsum, String where)
            throws CorruptImageException {
        int limit = LittleEndian.u16(b, countOffset);
        int count = LittleEndian.u16(b, countOffset + 2);
        int expected = expectedLimit(b.length, countOffset, metadataCsum);
        if (limit != expected || count == 0 || count > limit) {
            throw new CorruptImageException(where + ": htree limit " + limit + " (expected " + expected + "), count "
                    + count + "; run e2fsck");
        }
        List<DxEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int off = countOffset + i * ENTRY_BYTES;
            int hash = i == 0 ? 0 : LittleEndian.s32(b, off);
            entries.add(new DxEntry(hash, LittleEndian.u32(b, off + 4) & BLOCK_MASK));
        }
        return new DxBlock(entries, limit, countOffset);
    }

    /** crc32c_raw(iseed(dir), block[0 .. countOffset + 8 × count), tail.reserved, 4 zero bytes). */
    public static int checksum(int inodeSeed, byte[] b, int countOffset) {
        int count = LittleEndian.u16(b, countOffset + 2);
        int limit = LittleEndian.u16(b, countOffset);
        int tail = countOffset + limit * ENTRY_BYTES;
        int crc = Crc32c.update(inodeSeed, b, 0, countOffset + count * ENTRY_BYTES);
        crc = Crc32c.update(crc, b, tail, 4);
        return Crc32c.updateZeros(crc, 4);
    }

    public static int storedChecksum(byte[] b, int countOffset) {
        int limit = LittleEndian.u16(b, countOffset);
        return LittleEndian.s32(b, countOffset + limit * ENTRY_BYTES + 4);
    }

    public static void verifyChecksum(int inodeSeed, byte[] b, int countOffset, String where)
            throws CorruptImageException {
        int computed = checksum(inodeSeed, b, countOffset);
        int stored = storedChecksum(b, countOffset);
        if (computed != stored) {
            throw new CorruptImageException(String.format("%s: htree index checksum 0x%08x != computed 0x%08x;"
                    + " run e2fsck", where, stored, computed));
        }
    }

    // ---- encoding: the writer's side of the layout above -------------------------------------------------

    /** The entry to descend through: the last whose hash is ≤ {@code hash} (entry 0 stands for −∞). */
    static int position(DxBlock dx, int hash) {
        int pos = 0;
        for (int i = 1; i < dx.entries().size(); i++) {
            if (Integer.compareUnsigned(dx.entries().get(i).hash(), hash) <= 0) {
                pos = i;
            }
        }
        return pos;
    }

    /**
     * A dx_root: "." and ".." spanning the block, dx_root_info (hash version, info length 8, no indirect level),
     * limit and count; the caller fills in the entries.
     */
    static byte[] newRoot(int bs, long self, long parent, int hashVersion, int limit, int count) {
        byte[] root = new byte[bs];
        DirectoryBlock.putEntry(root, 0, self, 12, new byte[] {'.'}, DirEntry.FT_DIR);
        DirectoryBlock.putEntry(root, 12, parent, bs - 12, new byte[] {'.', '.'}, DirEntry.FT_DIR);
        root[DX_ROOT_INFO + 4] = (byte) hashVersion;
        root[DX_ROOT_INFO + 5] = 8;
        LittleEndian.put16(root, ROOT_COUNT_OFFSET, limit);
        LittleEndian.put16(root, ROOT_COUNT_OFFSET + 2, count);
        return root;
    }

    /**
     * A dx_node: an empty dirent spanning the block, then limit/count, entries and, with metadata_csum, the dx tail
     * checksummed with {@code inodeSeed}.
     */
    static byte[] newNode(int bs, List<DxEntry> entries, int limit, boolean csum, int inodeSeed) {
        byte[] b = new byte[bs];
        LittleEndian.put16(b, 4, bs == 65536 ? 0 : bs);
        int co = NODE_COUNT_OFFSET;
        LittleEndian.put16(b, co, limit);
        LittleEndian.put16(b, co + 2, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            if (i > 0) {
                LittleEndian.put32(b, co + i * ENTRY_BYTES, entries.get(i).hash() & 0xFFFFFFFFL);
            }
            LittleEndian.put32(b, co + i * ENTRY_BYTES + 4, entries.get(i).logicalBlock());
        }
        if (csum) {
            setChecksum(b, co, limit, inodeSeed);
        }
        return b;
    }

    /** Inserts entry {@code (hashField, lblk)} right after entry {@code pos} of an index with {@code count} entries. */
    static void insertEntry(byte[] b, int countOffset, int count, int pos, long hashField, long lblk) {
        int at = countOffset + (pos + 1) * ENTRY_BYTES;
        System.arraycopy(b, at, b, at + ENTRY_BYTES, (count - pos - 1) * ENTRY_BYTES);
        LittleEndian.put32(b, at, hashField);
        LittleEndian.put32(b, at + 4, lblk);
        LittleEndian.put16(b, countOffset + 2, count + 1);
    }

    /** Sets the dx tail's checksum of an index block whose {limit, count} sit at {@code countOffset}. */
    static void setChecksum(byte[] b, int countOffset, int limit, int inodeSeed) {
        int tail = countOffset + limit * ENTRY_BYTES;
        LittleEndian.put32(b, tail + 4, checksum(inodeSeed, b, countOffset));
    }
}
