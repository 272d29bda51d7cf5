// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import java.io.IOException;

/** The jbd2 journal, as far as hydrapi looks into it: whether it holds transactions not yet replayed. */
final class Journal {

    /** jbd2 superblock: big-endian magic at 0 and s_start at 0x1C (ext4-and-fat.md §3). */
    private static final int JBD2_MAGIC = 0xC03B3998;

    private Journal() {
    }

    /** INCOMPAT_RECOVER, or a jbd2 superblock with s_start ≠ 0 (ext4-and-fat.md §3). */
    static boolean needsRecovery(Ext4Volume vol) throws IOException {
        Superblock sb = vol.superblock();
        if (sb.features().needsRecovery()) {
            return true;
        }
        if ((sb.features().compat() & Features.COMPAT_HAS_JOURNAL) == 0 || sb.journalInum() == 0) {
            return false;
        }
        Inode j = vol.inode(sb.journalInum());
        long p = vol.extentTree(j).physicalBlock(0);
        if (p < 0) {
            throw new CorruptImageException("ext4: journal inode " + sb.journalInum() + " has no first block;"
                    + " run e2fsck");
        }
        byte[] jsb = vol.readBlock(p);
        int magic = (jsb[0] & 0xFF) << 24 | (jsb[1] & 0xFF) << 16 | (jsb[2] & 0xFF) << 8 | (jsb[3] & 0xFF);
        if (magic != JBD2_MAGIC) {
            throw new CorruptImageException(String.format("ext4: journal superblock magic 0x%08x != 0x%08x; run"
                    + " e2fsck", magic, JBD2_MAGIC));
        }
        return (jsb[0x1C] | jsb[0x1D] | jsb[0x1E] | jsb[0x1F]) != 0;
    }
}
