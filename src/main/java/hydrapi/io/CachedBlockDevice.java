// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded LRU cache of 4 KiB pages over a read-only device, for small reads only. Small reads are filesystem
 * metadata (ext4 directory, inode, extent and bitmap blocks; FAT sectors and clusters), read again and again while a
 * build resolves paths; bulk reads (file contents, whole compressed blocks to recompress) pass straight through and
 * evict nothing, so metadata stays cached (issue 14: metadata first). The role of the buffer cache between
 * libext2fs and its io manager (e2fsprogs lib/ext2fs/unix_io.c, its block cache). Reads may come from several
 * threads.
 */
public final class CachedBlockDevice implements BlockDevice {

    public static final int PAGE_BYTES = 4096;
    /** Reads up to this many bytes go through the cache: the largest ext4 block or FAT cluster is 64 KiB. */
    public static final int SMALL_READ_BYTES = 64 << 10;

    private final BlockDevice base;
    private final int maxPages;
    /** Access-ordered page number → page; guarded by itself. */
    private final LinkedHashMap<Long, byte[]> pages;
    private long hits;
    private long misses;

    /** Caches at most {@code maxBytes} (rounded down to whole pages, at least one) of {@code base}. */
    public CachedBlockDevice(BlockDevice base, long maxBytes) {
        this.base = base;
        this.maxPages = (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxBytes / PAGE_BYTES));
        this.pages = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                return size() > CachedBlockDevice.this.maxPages;
            }
        };
    }

    public BlockDevice base() {
        return base;
    }

    @Override
    public long sizeBytes() {
        return base.sizeBytes();
    }

    @Override
    public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, sizeBytes());
        if (len > SMALL_READ_BYTES) {
            base.read(offsetBytes, buf, off, len);
            return;
        }
        long pos = offsetBytes;
        int done = 0;
        while (done < len) {
            long pageNo = pos / PAGE_BYTES;
            int inPage = (int) (pos % PAGE_BYTES);
            int n = Math.min(len - done, PAGE_BYTES - inPage);
            System.arraycopy(page(pageNo), inPage, buf, off + done, n);
            done += n;
            pos += n;
        }
    }

    private byte[] page(long pageNo) throws IOException {
        synchronized (pages) {
            byte[] p = pages.get(pageNo);
            if (p != null) {
                hits++;
                return p;
            }
            misses++;
        }
        // Read outside the lock: a miss may decode a whole compressed block. Two threads missing the same page
        // both read it; the bytes are the same.
        long start = pageNo * PAGE_BYTES;
        byte[] p = new byte[PAGE_BYTES];
        base.read(start, p, 0, (int) Math.min(PAGE_BYTES, sizeBytes() - start));
        synchronized (pages) {
            pages.put(pageNo, p);
        }
        return p;
    }

    @Override
    public void write(long offsetBytes, byte[] buf, int off, int len) {
        throw new IllegalStateException("write to a read-only cached device");
    }

    /** Pages held now. */
    public int cachedPages() {
        synchronized (pages) {
            return pages.size();
        }
    }

    /** Small reads' pages found in the cache and read from the device so far. */
    public long[] hitsAndMisses() {
        synchronized (pages) {
            return new long[] {hits, misses};
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (pages) {
            pages.clear();
        }
        base.close();
    }
}
