// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.UnsupportedImageException;
import java.io.IOException;

/**
 * The volumes the writer changes: an allow-list of features and a clean state (ext4-and-fat.md §3, §3.1), checked
 * before anything is written, as e2fsprogs openfs.c refuses what it does not know.
 */
final class WriteSupport {

    private static final long WRITE_INCOMPAT = Features.INCOMPAT_FILETYPE | Features.INCOMPAT_EXTENTS
            | Features.INCOMPAT_64BIT | Features.INCOMPAT_FLEX_BG | Features.INCOMPAT_CSUM_SEED;
    private static final long WRITE_RO_COMPAT = Features.RO_COMPAT_SPARSE_SUPER | Features.RO_COMPAT_LARGE_FILE
            | Features.RO_COMPAT_HUGE_FILE | Features.RO_COMPAT_DIR_NLINK | Features.RO_COMPAT_EXTRA_ISIZE
            | Features.RO_COMPAT_METADATA_CSUM | Features.RO_COMPAT_GDT_CSUM;
    private static final long WRITE_COMPAT = Features.COMPAT_HAS_JOURNAL | Features.COMPAT_EXT_ATTR
            | Features.COMPAT_RESIZE_INODE | Features.COMPAT_DIR_INDEX | Features.COMPAT_ORPHAN_FILE;

    private WriteSupport() {
    }

    /** Refuses {@code vol} unless every precondition for writing holds. */
    static void check(Ext4Volume vol) throws IOException {
        Superblock sb = vol.superblock();
        Features f = sb.features();
        String where = "ext4";
        if (!f.metadataCsum()) {
            throw new UnsupportedImageException(where + ": writing needs metadata_csum; this filesystem has none");
        }
        // Checked before the feature sets, so needs_recovery is reported as what it means.
        if (vol.journalNeedsRecovery()) {
            throw new UnsupportedImageException(where + ": journal needs recovery (needs_recovery or a non-empty"
                    + " jbd2 log); boot the Pi once or run e2fsck first");
        }
        long badCompat = f.compat() & ~WRITE_COMPAT;
        long badIncompat = f.incompat() & ~WRITE_INCOMPAT;
        long badRo = f.roCompat() & ~WRITE_RO_COMPAT;
        if (badIncompat != 0) {
            throw new UnsupportedImageException(where + ": cannot write with incompat feature "
                    + Features.incompatNames(badIncompat) + "; shut the Pi down cleanly or run e2fsck first");
        }
        if (badCompat != 0 || badRo != 0) {
            String names = (Features.compatNames(badCompat) + ", " + Features.roCompatNames(badRo))
                    .replaceAll("^, |, $", "");
            throw new UnsupportedImageException(where + ": cannot write with feature " + names
                    + "; hydrapi writes only what Raspberry Pi OS images use (remove it with tune2fs -O ^FEATURE)");
        }
        if (sb.state() != 1 || sb.lastOrphan() != 0) {
            throw new UnsupportedImageException(where + ": filesystem was not cleanly unmounted (state "
                    + sb.state() + ", last orphan " + sb.lastOrphan() + "); run e2fsck first");
        }
        int hashFlags = sb.flags() & (Superblock.FLAG_SIGNED_HASH | Superblock.FLAG_UNSIGNED_HASH);
        if (hashFlags != Superblock.FLAG_SIGNED_HASH && hashFlags != Superblock.FLAG_UNSIGNED_HASH) {
            throw new UnsupportedImageException(where + ": s_flags sets neither or both directory hash signedness"
                    + " flags; run tune2fs/e2fsck first");
        }
        if (sb.inodeSize() < 160) {
            throw new UnsupportedImageException(where + ": inode size " + sb.inodeSize() + " is too small for"
                    + " extra timestamps; only 256-byte inodes are supported for writing");
        }
    }
}
