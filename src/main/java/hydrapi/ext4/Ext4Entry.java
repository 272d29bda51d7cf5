// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

/**
 * What {@link Ext4Volume#stat} and {@link Ext4Volume#list} report about one file: its name in its directory, the
 * inode's full i_mode (type bits and permissions), owners, size, mtime, link count and, for a symlink, its target.
 */
public record Ext4Entry(String name, long inodeNo, int mode, int uid, int gid, long sizeBytes, long mtimeSeconds,
        int linksCount, String linkTarget) {

    public boolean isDirectory() {
        return (mode & Inode.S_IFMT) == Inode.S_IFDIR;
    }

    public boolean isSymlink() {
        return (mode & Inode.S_IFMT) == Inode.S_IFLNK;
    }

    public boolean isRegularFile() {
        return (mode & Inode.S_IFMT) == Inode.S_IFREG;
    }
}
