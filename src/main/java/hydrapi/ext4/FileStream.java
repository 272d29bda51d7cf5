// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import java.io.IOException;
import java.io.InputStream;

/** A regular file's bytes, block by block; holes and unwritten extents read as zeros. */
final class FileStream extends InputStream {
    private final Ext4Volume vol;
    private final ExtentTree tree;
    private final long size;
    private long pos;
    private byte[] block;
    private long blockLogical = -1;

    FileStream(Ext4Volume vol, Inode inode) throws IOException {
        this.vol = vol;
        this.tree = vol.extentTree(inode);
        this.size = inode.sizeBytes();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (pos >= size) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int bs = vol.superblock().blockSize();
        long l = pos / bs;
        if (l != blockLogical) {
            long p = tree.physicalBlock(l);
            block = p < 0 ? new byte[bs] : vol.readBlock(p);
            blockLogical = l;
        }
        int in = (int) (pos % bs);
        int n = (int) Math.min(Math.min(len, bs - in), size - pos);
        System.arraycopy(block, in, buf, off, n);
        pos += n;
        return n;
    }
}
