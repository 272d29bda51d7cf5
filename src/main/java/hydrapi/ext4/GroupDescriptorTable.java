// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.CorruptImageException;
import hydrapi.io.BlockDevice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The primary group descriptor table, right after the superblock's block (no meta_bg). Backups are neither read nor
 * written (ext4-and-fat.md §5: libext2fs opens with EXT2_FLAG_MASTER_SB_ONLY).
 */
public final class GroupDescriptorTable {

    private final byte[] bytes;
    private final long firstBlockNo;
    private final List<GroupDescriptor> descriptors;

    private GroupDescriptorTable(byte[] bytes, long firstBlockNo, List<GroupDescriptor> descriptors) {
        this.bytes = bytes;
        this.firstBlockNo = firstBlockNo;
        this.descriptors = descriptors;
    }

    /** Reads the table and verifies every descriptor checksum and every location it gives. */
    public static GroupDescriptorTable read(BlockDevice dev, Superblock sb) throws IOException {
        int bs = sb.blockSize();
        long first = sb.firstDataBlock() + 1;
        int len = Math.toIntExact(sb.gdtBlocks() * bs);
        byte[] b = dev.read(first * bs, len);
        int ds = sb.descSize();
        List<GroupDescriptor> list = new ArrayList<>();
        Features f = sb.features();
        int seed = sb.csumSeed();
        byte[] uuid = sb.uuidBytes();
        long itableBlocks = (sb.inodesPerGroup() * sb.inodeSize() + bs - 1) / bs;
        for (int g = 0; g < sb.groupCount(); g++) {
            GroupDescriptor gd = new GroupDescriptor(b, g * ds, ds, g);
            if (f.groupDescriptorCsum()) {
                int computed = gd.checksum(f, seed, uuid);
                if (computed != gd.storedChecksum()) {
                    throw new CorruptImageException(String.format("ext4: group %d descriptor checksum 0x%04x != computed"
                            + " 0x%04x (block %d); run e2fsck", g, gd.storedChecksum(), computed, first + g * ds / bs));
                }
            }
            checkInside(sb, g, "block bitmap", gd.blockBitmapBlock(), 1);
            checkInside(sb, g, "inode bitmap", gd.inodeBitmapBlock(), 1);
            checkInside(sb, g, "inode table", gd.inodeTableBlock(), itableBlocks);
            list.add(gd);
        }
        return new GroupDescriptorTable(b, first, Collections.unmodifiableList(list));
    }

    private static void checkInside(Superblock sb, int g, String what, long blockNo, long count)
            throws CorruptImageException {
        if (blockNo <= sb.firstDataBlock() + sb.gdtBlocks() || blockNo > sb.blocksCount() - count) {
            throw new CorruptImageException("ext4: group " + g + " " + what + " at block " + blockNo
                    + " lies outside the filesystem or on the superblock; run e2fsck");
        }
    }

    public GroupDescriptor get(int group) {
        return descriptors.get(group);
    }

    public List<GroupDescriptor> all() {
        return descriptors;
    }

    public int size() {
        return descriptors.size();
    }

    /** The table's bytes, for flush. */
    public byte[] bytes() {
        return bytes;
    }

    public long firstBlockNo() {
        return firstBlockNo;
    }
}
