// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import hydrapi.io.Crc32c;
import hydrapi.io.LittleEndian;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A linear directory leaf block: a rec_len chain of entries ending exactly at the block end, or, with
 * metadata_csum, at the 12-byte dirent tail {inode 0, rec_len 12, name_len 0, file_type 0xDE, crc32c}. Layout and
 * checksum: e2fsprogs dirblock.c, csum.c ext2fs_dirent_csum (ext4-and-fat.md §10.1).
 */
public final class DirectoryBlock {

    public static final int TAIL_BYTES = 12;
    static final int TAIL_FILE_TYPE = 0xDE;

    private final byte[] block;
    private final List<DirEntry> entries;

    private DirectoryBlock(byte[] block, List<DirEntry> entries) {
        this.block = block;
        this.entries = Collections.unmodifiableList(entries);
    }

    /** Every entry of the chain, unused ones (inode 0) included. */
    public List<DirEntry> entries() {
        return entries;
    }

    public byte[] bytes() {
        return block;
    }

    /**
     * Parses and validates a leaf. {@code where} names the block in messages; {@code inodesCount} bounds inode
     * numbers.
     */
    public static DirectoryBlock parse(byte[] block, boolean metadataCsum, long inodesCount, String where)
            throws CorruptImageException {
        int bs = block.length;
        int end = bs;
        if (metadataCsum) {
            if (!hasTail(block)) {
                throw new CorruptImageException(where + ": directory block has no checksum tail; run e2fsck");
            }
            end = bs - TAIL_BYTES;
        }
        List<DirEntry> list = new ArrayList<>();
        int off = 0;
        while (off < end) {
            if (end - off < DirEntry.HEADER_BYTES) {
                throw new CorruptImageException(where + ": directory entry at byte " + off + " overruns the block;"
                        + " run e2fsck");
            }
            long ino = LittleEndian.u32(block, off);
            int recLen = recLen(block, off, bs);
            int nameLen = LittleEndian.u8(block, off + 6);
            int type = LittleEndian.u8(block, off + 7);
            if (recLen < DirEntry.HEADER_BYTES || recLen % 4 != 0 || off + recLen > end
                    || (ino != 0 && DirEntry.minRecLen(nameLen) > recLen)) {
                throw new CorruptImageException(where + ": directory entry at byte " + off + " has rec_len " + recLen
                        + " (name_len " + nameLen + "); run e2fsck");
            }
            if (ino > inodesCount) {
                throw new CorruptImageException(where + ": directory entry at byte " + off + " names inode " + ino
                        + " beyond s_inodes_count; run e2fsck");
            }
            byte[] name = new byte[ino == 0 ? Math.min(nameLen, recLen - DirEntry.HEADER_BYTES) : nameLen];
            System.arraycopy(block, off + DirEntry.HEADER_BYTES, name, 0, name.length);
            if (ino != 0) {
                if (nameLen == 0) {
                    throw new CorruptImageException(where + ": directory entry at byte " + off
                            + " has an empty name; run e2fsck");
                }
                for (byte c : name) {
                    if (c == 0 || c == '/') {
                        throw new CorruptImageException(where + ": directory entry at byte " + off
                                + " has '/' or NUL in its name; run e2fsck");
                    }
                }
            }
            list.add(new DirEntry(ino, recLen, type, name, off));
            off += recLen;
        }
        return new DirectoryBlock(block, list);
    }

    /** rec_len from disk; 64 KiB blocks store 65536 as 0 or 65535 (kernel ext4_rec_len_from_disk). */
    static int recLen(byte[] block, int off, int blockSize) {
        int len = LittleEndian.u16(block, off + 4);
        if (blockSize < 65536) {
            return len;
        }
        if (len == 65535 || len == 0) {
            return 65536;
        }
        return (len & 65532) | ((len & 3) << 16);
    }

    public static boolean hasTail(byte[] block) {
        int t = block.length - TAIL_BYTES;
        return LittleEndian.u32(block, t) == 0 && LittleEndian.u16(block, t + 4) == TAIL_BYTES
                && LittleEndian.u8(block, t + 6) == 0 && LittleEndian.u8(block, t + 7) == TAIL_FILE_TYPE;
    }

    /** crc32c_raw(iseed(dir), block[0 .. bs − 12)). */
    public static int checksum(int inodeSeed, byte[] block) {
        return Crc32c.update(inodeSeed, block, 0, block.length - TAIL_BYTES);
    }

    public static int storedChecksum(byte[] block) {
        return LittleEndian.s32(block, block.length - 4);
    }

    public static void verifyChecksum(int inodeSeed, byte[] block, String where) throws CorruptImageException {
        int computed = checksum(inodeSeed, block);
        if (computed != storedChecksum(block)) {
            throw new CorruptImageException(String.format("%s: directory block checksum 0x%08x != computed 0x%08x;"
                    + " run e2fsck", where, storedChecksum(block), computed));
        }
    }

    // ---- encoding: the writer's side of the layout above -------------------------------------------------

    /** An entry to write: name, inode, file type and its directory hash (for htree order). */
    record Named(byte[] name, long ino, int type, int hash) {
        int size() {
            return DirEntry.minRecLen(name.length);
        }
    }

    /** Writes one entry's header and name at {@code off}. */
    static void putEntry(byte[] b, int off, long ino, int recLen, byte[] name, int type) {
        LittleEndian.put32(b, off, ino);
        LittleEndian.put16(b, off + 4, recLen);
        b[off + 6] = (byte) name.length;
        b[off + 7] = (byte) type;
        System.arraycopy(name, 0, b, off + DirEntry.HEADER_BYTES, name.length);
    }

    /** Writes the metadata_csum dirent tail; its checksum is set when the block is written. */
    static void putTail(byte[] block) {
        int t = block.length - TAIL_BYTES;
        LittleEndian.put32(block, t, 0);
        LittleEndian.put16(block, t + 4, TAIL_BYTES);
        block[t + 6] = 0;
        block[t + 7] = (byte) TAIL_FILE_TYPE;
    }

    /** A leaf of {@code bs} bytes holding one unused entry up to the end (or the tail, with metadata_csum). */
    static byte[] emptyLeaf(int bs, boolean csum) {
        byte[] block = new byte[bs];
        int end = csum ? bs - TAIL_BYTES : bs;
        LittleEndian.put16(block, 4, end);
        if (csum) {
            putTail(block);
        }
        return block;
    }

    /**
     * Puts an entry into a free slot or the slack of an entry (kernel namei.c add_dirent_to_buf); false if the
     * block has no room.
     */
    static boolean insert(byte[] block, int bs, boolean csum, byte[] name, long ino, int type) {
        int end = csum ? bs - TAIL_BYTES : bs;
        int need = DirEntry.minRecLen(name.length);
        int off = 0;
        while (off < end) {
            long cur = LittleEndian.u32(block, off);
            int recLen = recLen(block, off, bs);
            int used = cur == 0 ? 0 : DirEntry.minRecLen(LittleEndian.u8(block, off + 6));
            if (recLen <= 0) {
                return false;
            }
            if (cur == 0 && recLen >= need) {
                Arrays.fill(block, off, off + recLen, (byte) 0);
                putEntry(block, off, ino, recLen, name, type);
                return true;
            }
            if (cur != 0 && recLen - used >= need) {
                LittleEndian.put16(block, off + 4, used);
                Arrays.fill(block, off + used, off + recLen, (byte) 0);
                putEntry(block, off + used, ino, recLen - used, name, type);
                return true;
            }
            off += recLen;
        }
        return false;
    }

    /**
     * Removes entry {@code e} as the kernel's ext4_generic_delete_entry does: {@code prev} (the entry before it
     * in the block) absorbs its rec_len; a block's first entry only gets inode 0.
     */
    static void remove(byte[] block, DirEntry prev, DirEntry e) {
        int off = e.offsetBytes();
        if (prev == null) {
            LittleEndian.put32(block, off, 0);
            Arrays.fill(block, off + 6, off + e.recLen(), (byte) 0);
        } else {
            LittleEndian.put16(block, prev.offsetBytes() + 4, prev.recLen() + e.recLen());
            Arrays.fill(block, off, off + e.recLen(), (byte) 0);
        }
    }

    /** A new leaf holding {@code entries} in order, the last one's rec_len running to the end. */
    static byte[] pack(List<Named> entries, int bs, boolean csum) {
        byte[] block = emptyLeaf(bs, csum);
        int end = csum ? bs - TAIL_BYTES : bs;
        int off = 0;
        for (int i = 0; i < entries.size(); i++) {
            Named e = entries.get(i);
            int rec = i + 1 == entries.size() ? end - off : e.size();
            putEntry(block, off, e.ino(), rec, e.name(), e.type());
            off += rec;
        }
        return block;
    }
}
