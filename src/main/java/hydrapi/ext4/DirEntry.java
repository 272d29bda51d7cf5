// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import java.nio.charset.StandardCharsets;

/**
 * One directory entry (ext2_fs.h struct ext2_dir_entry_2) as found in a block: inode 0 marks an unused slot.
 * {@code name} is the raw byte string; {@code offsetBytes} is its place in the block.
 */
public record DirEntry(long inodeNo, int recLen, int fileType, byte[] name, int offsetBytes) {

    public static final int HEADER_BYTES = 8;
    public static final int FT_UNKNOWN = 0;
    public static final int FT_REG_FILE = 1;
    public static final int FT_DIR = 2;
    public static final int FT_SYMLINK = 7;

    public DirEntry {
        name = name.clone();
    }

    @Override
    public byte[] name() {
        return name.clone();
    }

    public String nameString() {
        return new String(name, StandardCharsets.UTF_8);
    }

    public int nameLen() {
        return name.length;
    }

    public boolean isDot() {
        return name.length == 1 && name[0] == '.';
    }

    public boolean isDotDot() {
        return name.length == 2 && name[0] == '.' && name[1] == '.';
    }

    /** The smallest rec_len that holds a name of this length: (8 + len + 3) & ~3. */
    public static int minRecLen(int nameLen) {
        return (HEADER_BYTES + nameLen + 3) & ~3;
    }

    /** The file_type code a dirent must carry for an inode of this i_mode (filetype feature). */
    public static int fileTypeOf(int mode) {
        return switch (mode & Inode.S_IFMT) {
            case Inode.S_IFREG -> FT_REG_FILE;
            case Inode.S_IFDIR -> FT_DIR;
            case 0x2000 -> 3; // character device
            case 0x6000 -> 4; // block device
            case 0x1000 -> 5; // fifo
            case 0xC000 -> 6; // socket
            case Inode.S_IFLNK -> FT_SYMLINK;
            default -> FT_UNKNOWN;
        };
    }
}
