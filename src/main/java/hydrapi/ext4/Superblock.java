// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import hydrapi.io.Crc32c;
import hydrapi.io.LittleEndian;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The ext4 superblock: 1024 bytes at byte 1024 of the filesystem. Layout: e2fsprogs lib/ext2fs/ext2_fs.h
 * struct ext2_super_block; checksum rule: csum.c ext2fs_superblock_csum (ext4-and-fat.md §5).
 * A mutable view over its bytes, owned by one {@link Ext4Volume}.
 */
public final class Superblock {

    public static final int OFFSET_BYTES = 1024;
    public static final int SIZE_BYTES = 1024;
    public static final int MAGIC = 0xEF53;

    static final int S_INODES_COUNT = 0x00;
    static final int S_BLOCKS_COUNT_LO = 0x04;
    static final int S_FREE_BLOCKS_COUNT_LO = 0x0C;
    static final int S_FREE_INODES_COUNT = 0x10;
    static final int S_FIRST_DATA_BLOCK = 0x14;
    static final int S_LOG_BLOCK_SIZE = 0x18;
    static final int S_LOG_CLUSTER_SIZE = 0x1C;
    static final int S_BLOCKS_PER_GROUP = 0x20;
    static final int S_INODES_PER_GROUP = 0x28;
    static final int S_WTIME = 0x30;
    static final int S_MAGIC = 0x38;
    static final int S_STATE = 0x3A;
    static final int S_REV_LEVEL = 0x4C;
    static final int S_FIRST_INO = 0x54;
    static final int S_INODE_SIZE = 0x58;
    static final int S_FEATURE_COMPAT = 0x5C;
    static final int S_FEATURE_INCOMPAT = 0x60;
    static final int S_FEATURE_RO_COMPAT = 0x64;
    static final int S_UUID = 0x68;
    static final int S_VOLUME_NAME = 0x78;
    static final int S_RESERVED_GDT_BLOCKS = 0xCE;
    static final int S_JOURNAL_INUM = 0xE0;
    static final int S_LAST_ORPHAN = 0xE8;
    static final int S_HASH_SEED = 0xEC;
    static final int S_DEF_HASH_VERSION = 0xFC;
    static final int S_DESC_SIZE = 0xFE;
    static final int S_BLOCKS_COUNT_HI = 0x150;
    static final int S_FREE_BLOCKS_HI = 0x158;
    static final int S_FLAGS = 0x160;
    static final int S_LOG_GROUPS_PER_FLEX = 0x174;
    static final int S_CHECKSUM_TYPE = 0x175;
    static final int S_CHECKSUM_SEED = 0x270;
    static final int S_WTIME_HI = 0x274;
    static final int S_CHECKSUM = 0x3FC;

    /** s_flags: which char signedness the directory hash uses (ext2_fs.h EXT2_FLAGS_*_DIR_HASH). */
    public static final int FLAG_SIGNED_HASH = 0x1;
    public static final int FLAG_UNSIGNED_HASH = 0x2;

    private final byte[] b;

    private Superblock(byte[] bytes) {
        this.b = bytes;
    }

    /** Parses and validates: magic, checksum, and the geometry every later offset is computed from. */
    public static Superblock parse(byte[] bytes, long deviceBytes) throws CorruptImageException {
        if (bytes.length != SIZE_BYTES) {
            throw new IllegalArgumentException("superblock needs " + SIZE_BYTES + " bytes");
        }
        Superblock sb = new Superblock(bytes.clone());
        if (LittleEndian.u16(bytes, S_MAGIC) != MAGIC) {
            throw new CorruptImageException(String.format("ext4: no superblock at byte 1024 (magic 0x%04x, expected"
                    + " 0xef53); is this the root partition?", LittleEndian.u16(bytes, S_MAGIC)));
        }
        if (sb.features().metadataCsum()) {
            if (LittleEndian.u8(bytes, S_CHECKSUM_TYPE) != 1) {
                throw new CorruptImageException("ext4: superblock checksum type " + LittleEndian.u8(bytes, S_CHECKSUM_TYPE)
                        + " is not crc32c (1)");
            }
            int stored = sb.storedChecksum();
            int computed = sb.checksum();
            if (stored != computed) {
                throw new CorruptImageException(String.format(
                        "ext4: superblock checksum 0x%08x != computed 0x%08x; run e2fsck", stored, computed));
            }
        }
        sb.validateGeometry(deviceBytes);
        return sb;
    }

    private void validateGeometry(long deviceBytes) throws CorruptImageException {
        long log = LittleEndian.u32(b, S_LOG_BLOCK_SIZE);
        if (log > 6) {
            throw corrupt("s_log_block_size " + log + " (blocks over 64 KiB)");
        }
        int bs = blockSize();
        if (LittleEndian.u32(b, S_LOG_CLUSTER_SIZE) != log && (features().roCompat() & Features.RO_COMPAT_BIGALLOC) == 0) {
            throw corrupt("s_log_cluster_size " + LittleEndian.u32(b, S_LOG_CLUSTER_SIZE) + " != s_log_block_size " + log);
        }
        long bpg = blocksPerGroup();
        long ipg = inodesPerGroup();
        if (bpg < 8 || bpg > 8L * bs || bpg % 8 != 0) {
            throw corrupt("s_blocks_per_group " + bpg);
        }
        if (ipg < 1 || ipg > 8L * bs) {
            throw corrupt("s_inodes_per_group " + ipg);
        }
        long expectFirst = bs == 1024 ? 1 : 0;
        if (firstDataBlock() != expectFirst) {
            throw corrupt("s_first_data_block " + firstDataBlock() + " for " + bs + "-byte blocks");
        }
        if (blocksCount() <= firstDataBlock() || blocksCount() > deviceBytes / bs) {
            throw corrupt("s_blocks_count " + blocksCount() + " for a device of " + deviceBytes
                    + " bytes (truncated image?)");
        }
        int isz = inodeSize();
        if (isz < 128 || isz > bs || Integer.bitCount(isz) != 1) {
            throw corrupt("s_inode_size " + isz);
        }
        if (groupCount() * ipg != inodesCount()) {
            throw corrupt("s_inodes_count " + inodesCount() + " != " + groupCount() + " groups x " + ipg);
        }
        int ds = descSize();
        if (ds != 32 && (ds < 64 || ds > 1024 || Integer.bitCount(ds) != 1)) {
            throw corrupt("s_desc_size " + LittleEndian.u16(b, S_DESC_SIZE));
        }
        if (firstIno() < 11 || firstIno() >= inodesCount()) {
            throw corrupt("s_first_ino " + firstIno());
        }
    }

    private static CorruptImageException corrupt(String what) {
        return new CorruptImageException("ext4: superblock has invalid " + what + "; run e2fsck");
    }

    /** crc32c_raw(~0, sb[0..0x3FC)). */
    public int checksum() {
        return Crc32c.update(~0, b, 0, S_CHECKSUM);
    }

    public int storedChecksum() {
        return LittleEndian.s32(b, S_CHECKSUM);
    }

    public void updateChecksum() {
        LittleEndian.put32(b, S_CHECKSUM, checksum());
    }

    /** The metadata checksum seed: s_checksum_seed with metadata_csum_seed, else crc32c_raw(~0, s_uuid). */
    public int csumSeed() {
        if (features().csumSeed()) {
            return LittleEndian.s32(b, S_CHECKSUM_SEED);
        }
        return Crc32c.update(~0, b, S_UUID, 16);
    }

    public byte[] bytes() {
        return b;
    }

    public Features features() {
        return new Features(LittleEndian.u32(b, S_FEATURE_COMPAT), LittleEndian.u32(b, S_FEATURE_INCOMPAT),
                LittleEndian.u32(b, S_FEATURE_RO_COMPAT));
    }

    public int blockSize() {
        return 1024 << LittleEndian.u32(b, S_LOG_BLOCK_SIZE);
    }

    public long blocksCount() {
        long lo = LittleEndian.u32(b, S_BLOCKS_COUNT_LO);
        return features().has64bit() ? lo | LittleEndian.u32(b, S_BLOCKS_COUNT_HI) << 32 : lo;
    }

    public long freeBlocksCount() {
        long lo = LittleEndian.u32(b, S_FREE_BLOCKS_COUNT_LO);
        return features().has64bit() ? lo | LittleEndian.u32(b, S_FREE_BLOCKS_HI) << 32 : lo;
    }

    public void setFreeBlocksCount(long count) {
        LittleEndian.put32(b, S_FREE_BLOCKS_COUNT_LO, count);
        if (features().has64bit()) {
            LittleEndian.put32(b, S_FREE_BLOCKS_HI, count >>> 32);
        }
    }

    public long freeInodesCount() {
        return LittleEndian.u32(b, S_FREE_INODES_COUNT);
    }

    public void setFreeInodesCount(long count) {
        LittleEndian.put32(b, S_FREE_INODES_COUNT, count);
    }

    public long inodesCount() {
        return LittleEndian.u32(b, S_INODES_COUNT);
    }

    public long firstDataBlock() {
        return LittleEndian.u32(b, S_FIRST_DATA_BLOCK);
    }

    public long blocksPerGroup() {
        return LittleEndian.u32(b, S_BLOCKS_PER_GROUP);
    }

    public long inodesPerGroup() {
        return LittleEndian.u32(b, S_INODES_PER_GROUP);
    }

    public int groupCount() {
        return (int) ((blocksCount() - firstDataBlock() + blocksPerGroup() - 1) / blocksPerGroup());
    }

    public int inodeSize() {
        return LittleEndian.u32(b, S_REV_LEVEL) == 0 ? 128 : LittleEndian.u16(b, S_INODE_SIZE);
    }

    public long firstIno() {
        return LittleEndian.u32(b, S_REV_LEVEL) == 0 ? 11 : LittleEndian.u32(b, S_FIRST_INO);
    }

    /** s_desc_size, where 0 (no 64bit, as on Pi images) means 32. */
    public int descSize() {
        int ds = LittleEndian.u16(b, S_DESC_SIZE);
        return features().has64bit() ? ds : 32;
    }

    public int reservedGdtBlocks() {
        return LittleEndian.u16(b, S_RESERVED_GDT_BLOCKS);
    }

    public int state() {
        return LittleEndian.u16(b, S_STATE);
    }

    public long journalInum() {
        return LittleEndian.u32(b, S_JOURNAL_INUM);
    }

    public long lastOrphan() {
        return LittleEndian.u32(b, S_LAST_ORPHAN);
    }

    public int flags() {
        return (int) LittleEndian.u32(b, S_FLAGS);
    }

    public boolean unsignedDirHash() {
        return (flags() & FLAG_UNSIGNED_HASH) != 0;
    }

    public int defHashVersion() {
        return LittleEndian.u8(b, S_DEF_HASH_VERSION);
    }

    /** s_hash_seed as four host-order words, as dirhash.c consumes them. */
    public int[] hashSeed() {
        int[] seed = new int[4];
        for (int i = 0; i < 4; i++) {
            seed[i] = LittleEndian.s32(b, S_HASH_SEED + 4 * i);
        }
        return seed;
    }

    public UUID uuid() {
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (b[S_UUID + i] & 0xFF);
            lo = lo << 8 | (b[S_UUID + 8 + i] & 0xFF);
        }
        return new UUID(hi, lo);
    }

    public byte[] uuidBytes() {
        byte[] u = new byte[16];
        System.arraycopy(b, S_UUID, u, 0, 16);
        return u;
    }

    public String volumeName() {
        int n = 0;
        while (n < 16 && b[S_VOLUME_NAME + n] != 0) {
            n++;
        }
        return new String(b, S_VOLUME_NAME, n, StandardCharsets.UTF_8);
    }

    public int logGroupsPerFlex() {
        return LittleEndian.u8(b, S_LOG_GROUPS_PER_FLEX);
    }

    /** s_wtime with its high byte (seconds since the epoch). */
    public long writeTimeSeconds() {
        return LittleEndian.u32(b, S_WTIME) | (long) LittleEndian.u8(b, S_WTIME_HI) << 32;
    }

    public void setWriteTimeSeconds(long seconds) {
        LittleEndian.put32(b, S_WTIME, seconds);
        b[S_WTIME_HI] = (byte) (seconds >>> 32);
    }

    /** Whether group {@code g} holds a superblock backup (sparse_super: 0, 1 and powers of 3, 5, 7). */
    public boolean groupHasSuper(long g) {
        if (g == 0 || !features().sparseSuper()) {
            return true;
        }
        if (g == 1) {
            return true;
        }
        return isPower(g, 3) || isPower(g, 5) || isPower(g, 7);
    }

    private static boolean isPower(long g, int base) {
        long p = base;
        while (p < g) {
            p *= base;
        }
        return p == g;
    }

    /** Blocks the group descriptor table occupies (no meta_bg). */
    public long gdtBlocks() {
        return ((long) groupCount() * descSize() + blockSize() - 1) / blockSize();
    }

    /** Blocks in group g: bpg, except a shorter last group. */
    public long blocksInGroup(long g) {
        long start = firstDataBlock() + g * blocksPerGroup();
        return Math.min(blocksPerGroup(), blocksCount() - start);
    }
}
