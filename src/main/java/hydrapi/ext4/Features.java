// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.UnsupportedImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The three ext4 feature words and the reader's feature gate. Bits: e2fsprogs lib/ext2fs/ext2_fs.h
 * (EXT4_FEATURE_*); the gate fails closed on unknown incompat bits, as openfs.c does with EXT2_ET_UNSUPP_FEATURE.
 */
public record Features(long compat, long incompat, long roCompat) {

    public static final long COMPAT_HAS_JOURNAL = 0x4;
    public static final long COMPAT_EXT_ATTR = 0x8;
    public static final long COMPAT_RESIZE_INODE = 0x10;
    public static final long COMPAT_DIR_INDEX = 0x20;
    public static final long COMPAT_SPARSE_SUPER2 = 0x200;
    public static final long COMPAT_ORPHAN_FILE = 0x1000;

    public static final long INCOMPAT_COMPRESSION = 0x1;
    public static final long INCOMPAT_FILETYPE = 0x2;
    public static final long INCOMPAT_RECOVER = 0x4;
    public static final long INCOMPAT_JOURNAL_DEV = 0x8;
    public static final long INCOMPAT_META_BG = 0x10;
    public static final long INCOMPAT_EXTENTS = 0x40;
    public static final long INCOMPAT_64BIT = 0x80;
    public static final long INCOMPAT_MMP = 0x100;
    public static final long INCOMPAT_FLEX_BG = 0x200;
    public static final long INCOMPAT_EA_INODE = 0x400;
    public static final long INCOMPAT_DIRDATA = 0x1000;
    public static final long INCOMPAT_CSUM_SEED = 0x2000;
    public static final long INCOMPAT_LARGEDIR = 0x4000;
    public static final long INCOMPAT_INLINE_DATA = 0x8000;
    public static final long INCOMPAT_ENCRYPT = 0x10000;
    public static final long INCOMPAT_CASEFOLD = 0x20000;

    public static final long RO_COMPAT_SPARSE_SUPER = 0x1;
    public static final long RO_COMPAT_LARGE_FILE = 0x2;
    public static final long RO_COMPAT_HUGE_FILE = 0x8;
    public static final long RO_COMPAT_GDT_CSUM = 0x10;
    public static final long RO_COMPAT_DIR_NLINK = 0x20;
    public static final long RO_COMPAT_EXTRA_ISIZE = 0x40;
    public static final long RO_COMPAT_QUOTA = 0x100;
    public static final long RO_COMPAT_BIGALLOC = 0x200;
    public static final long RO_COMPAT_METADATA_CSUM = 0x400;
    public static final long RO_COMPAT_ORPHAN_PRESENT = 0x10000;

    private static final Map<Long, String> INCOMPAT_NAMES = new TreeMap<>(Map.ofEntries(
            Map.entry(INCOMPAT_COMPRESSION, "compression"), Map.entry(INCOMPAT_FILETYPE, "filetype"),
            Map.entry(INCOMPAT_RECOVER, "needs_recovery"), Map.entry(INCOMPAT_JOURNAL_DEV, "journal_dev"),
            Map.entry(INCOMPAT_META_BG, "meta_bg"), Map.entry(INCOMPAT_EXTENTS, "extent"),
            Map.entry(INCOMPAT_64BIT, "64bit"), Map.entry(INCOMPAT_MMP, "mmp"),
            Map.entry(INCOMPAT_FLEX_BG, "flex_bg"), Map.entry(INCOMPAT_EA_INODE, "ea_inode"),
            Map.entry(INCOMPAT_DIRDATA, "dirdata"), Map.entry(INCOMPAT_CSUM_SEED, "metadata_csum_seed"),
            Map.entry(INCOMPAT_LARGEDIR, "large_dir"), Map.entry(INCOMPAT_INLINE_DATA, "inline_data"),
            Map.entry(INCOMPAT_ENCRYPT, "encrypt"), Map.entry(INCOMPAT_CASEFOLD, "casefold")));

    // Names as e2fsprogs lib/e2p/feature.c prints them (dumpe2fs, tune2fs -O).
    private static final Map<Long, String> COMPAT_NAMES = new TreeMap<>(Map.ofEntries(
            Map.entry(0x1L, "dir_prealloc"), Map.entry(0x2L, "imagic_inodes"), Map.entry(0x4L, "has_journal"),
            Map.entry(0x8L, "ext_attr"), Map.entry(0x10L, "resize_inode"), Map.entry(0x20L, "dir_index"),
            Map.entry(0x40L, "lazy_bg"), Map.entry(0x100L, "exclude_bitmap"), Map.entry(0x200L, "sparse_super2"),
            Map.entry(0x400L, "fast_commit"), Map.entry(0x800L, "stable_inodes"), Map.entry(0x1000L, "orphan_file")));
    private static final Map<Long, String> RO_COMPAT_NAMES = new TreeMap<>(Map.ofEntries(
            Map.entry(0x1L, "sparse_super"), Map.entry(0x2L, "large_file"), Map.entry(0x4L, "btree_dir"),
            Map.entry(0x8L, "huge_file"), Map.entry(0x10L, "uninit_bg"), Map.entry(0x20L, "dir_nlink"),
            Map.entry(0x40L, "extra_isize"), Map.entry(0x80L, "snapshot"), Map.entry(0x100L, "quota"),
            Map.entry(0x200L, "bigalloc"), Map.entry(0x400L, "metadata_csum"), Map.entry(0x800L, "replica"),
            Map.entry(0x1000L, "read-only"), Map.entry(0x2000L, "project"), Map.entry(0x4000L, "shared_blocks"),
            Map.entry(0x8000L, "verity"), Map.entry(0x10000L, "orphan_present")));

    /**
     * Incompat bits the reader understands. inline_data is opened but its files are refused one by one;
     * meta_bg (another descriptor layout), dirdata, encrypt and casefold (other directory formats) are refused.
     */
    private static final long READ_INCOMPAT = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_EXTENTS
            | INCOMPAT_64BIT | INCOMPAT_MMP | INCOMPAT_FLEX_BG | INCOMPAT_EA_INODE | INCOMPAT_CSUM_SEED
            | INCOMPAT_LARGEDIR | INCOMPAT_INLINE_DATA;

    public boolean has64bit() {
        return (incompat & INCOMPAT_64BIT) != 0;
    }

    public boolean metadataCsum() {
        return (roCompat & RO_COMPAT_METADATA_CSUM) != 0;
    }

    public boolean gdtCsum() {
        return (roCompat & RO_COMPAT_GDT_CSUM) != 0 && !metadataCsum();
    }

    /** Group descriptors carry a checksum and the UNINIT flags mean something (uninit_bg or metadata_csum). */
    public boolean groupDescriptorCsum() {
        return (roCompat & (RO_COMPAT_GDT_CSUM | RO_COMPAT_METADATA_CSUM)) != 0;
    }

    public boolean csumSeed() {
        return (incompat & INCOMPAT_CSUM_SEED) != 0;
    }

    public boolean sparseSuper() {
        return (roCompat & RO_COMPAT_SPARSE_SUPER) != 0;
    }

    public boolean hugeFile() {
        return (roCompat & RO_COMPAT_HUGE_FILE) != 0;
    }

    public boolean flexBg() {
        return (incompat & INCOMPAT_FLEX_BG) != 0;
    }

    public boolean needsRecovery() {
        return (incompat & INCOMPAT_RECOVER) != 0;
    }

    public boolean filetype() {
        return (incompat & INCOMPAT_FILETYPE) != 0;
    }

    /** Refuses what the reader would misread: unknown incompat bits, other layouts, bigalloc clusters. */
    public void checkReadable(String where) throws UnsupportedImageException {
        long unknown = incompat & ~READ_INCOMPAT;
        if (unknown != 0) {
            throw new UnsupportedImageException(where + ": ext4 incompat feature " + incompatNames(unknown)
                    + " is not supported; use an image made by mke2fs with Raspberry Pi OS defaults");
        }
        if ((roCompat & RO_COMPAT_BIGALLOC) != 0) {
            throw new UnsupportedImageException(where + ": ext4 ro_compat feature 'bigalloc' is not supported;"
                    + " use an image made by mke2fs with Raspberry Pi OS defaults");
        }
    }

    static String incompatNames(long bits) {
        return names(bits, INCOMPAT_NAMES);
    }

    static String compatNames(long bits) {
        return names(bits, COMPAT_NAMES);
    }

    static String roCompatNames(long bits) {
        return names(bits, RO_COMPAT_NAMES);
    }

    private static String names(long bits, Map<Long, String> known) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            long bit = 1L << i;
            if ((bits & bit) != 0) {
                names.add("'" + known.getOrDefault(bit, String.format("0x%x", bit)) + "'");
            }
        }
        return String.join(", ", names);
    }
}
