// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What {@link Ext4Writer#unlink} refuses to remove, checked before anything changes: inodes it cannot free
 * faithfully, reserved inodes, /lost+found, directories with entries.
 */
final class RemovalCheck {

    private RemovalCheck() {
    }

    /** Refuses to remove {@code old}, named {@code name} in directory {@code parentNo}, unless that is supported. */
    static void refuse(Ext4Volume vol, String path, long parentNo, byte[] name, Inode old) throws IOException {
        long entry = old.inodeNo();
        boolean dir = old.isDirectory();
        if ((old.flags() & Ext4Writer.REFUSED_FLAGS) != 0) {
            throw new UnsupportedImageException("ext4: " + path + " is immutable, append-only, verity or"
                    + " inline; removing it is not supported");
        }
        if (!dir && !old.isRegularFile() && !old.isSymlink()) {
            throw new UnsupportedImageException("ext4: " + path + " is a device, fifo or socket; removing it is"
                    + " not supported");
        }
        if (entry < vol.superblock().firstIno()) {
            throw new UnsupportedImageException("ext4: " + path + " is reserved inode " + entry
                    + "; removing it is not supported");
        }
        if (parentNo == 2 && Arrays.equals(name, "lost+found".getBytes(StandardCharsets.US_ASCII))) {
            // e2fsck pass 3 recreates it (e2fsck_get_lost_and_found): the image would not stay fsck-clean.
            throw new UnsupportedImageException("ext4: /lost+found is kept for e2fsck; removing it is not"
                    + " supported");
        }
        if (dir && Directory.read(vol, old).entries().stream().anyMatch(e -> !e.isDot() && !e.isDotDot())) {
            throw new InvalidInputException("ext4: " + path + ": directory is not empty; remove its entries"
                    + " first");
        }
        boolean last = dir || old.linksCount() <= 1;
        if (last && old.fileAclBlock() != 0) {
            throw new UnsupportedImageException("ext4: " + path + " has an extended attribute block; removing"
                    + " it is not supported");
        }
        if (last && old.hasFlag(Inode.HUGE_FILE_FL)) {
            throw new UnsupportedImageException("ext4: " + path + " is a huge_file inode; removing it is not"
                    + " supported");
        }
    }
}
