// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Copy-on-write pages over a read-only base device: the base is never written, and the overlay can say exactly
 * which byte ranges now differ from it (what the xz writer must recompress). A checkpoint records the pages touched
 * after it so a failed operation can be rolled back byte for byte, as e2fsprogs' undo_io does for a whole device.
 */
public final class OverlayDevice implements BlockDevice {

    public static final int PAGE_BYTES = 4096;

    private final BlockDevice base;
    private final TreeMap<Long, byte[]> pages = new TreeMap<>();
    /** Page number → its state when the checkpoint was taken (null value: the page was not in the overlay). */
    private Map<Long, byte[]> undo;

    public OverlayDevice(BlockDevice base) {
        this.base = base;
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
        long pos = offsetBytes;
        int done = 0;
        while (done < len) {
            long pageNo = pos / PAGE_BYTES;
            int inPage = (int) (pos % PAGE_BYTES);
            int n = Math.min(len - done, PAGE_BYTES - inPage);
            byte[] page = pages.get(pageNo);
            if (page != null) {
                System.arraycopy(page, inPage, buf, off + done, n);
            } else {
                // Read the longest run of pages the overlay does not hold in one base call.
                Long next = pages.ceilingKey(pageNo + 1);
                long runEnd = next == null ? offsetBytes + len : Math.min(offsetBytes + len, next * PAGE_BYTES);
                n = (int) (runEnd - pos);
                base.read(pos, buf, off + done, n);
            }
            done += n;
            pos += n;
        }
    }

    @Override
    public void write(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, sizeBytes());
        long pos = offsetBytes;
        int done = 0;
        while (done < len) {
            long pageNo = pos / PAGE_BYTES;
            int inPage = (int) (pos % PAGE_BYTES);
            int n = Math.min(len - done, PAGE_BYTES - inPage);
            byte[] page = pageForWrite(pageNo);
            System.arraycopy(buf, off + done, page, inPage, n);
            done += n;
            pos += n;
        }
    }

    private byte[] pageForWrite(long pageNo) throws IOException {
        byte[] page = pages.get(pageNo);
        if (undo != null && !undo.containsKey(pageNo)) {
            undo.put(pageNo, page == null ? null : page.clone());
        }
        if (page == null) {
            page = new byte[PAGE_BYTES];
            long start = pageNo * PAGE_BYTES;
            int n = (int) Math.min(PAGE_BYTES, sizeBytes() - start);
            base.read(start, page, 0, n);
            pages.put(pageNo, page);
        }
        return page;
    }

    /** Starts recording; a second checkpoint replaces the first. */
    public void checkpoint() {
        undo = new HashMap<>();
    }

    /** Forgets the checkpoint, keeping every change made since. */
    public void commit() {
        undo = null;
    }

    /** Restores every page touched since the checkpoint to its state then. */
    public void rollback() {
        if (undo == null) {
            throw new IllegalStateException("rollback without a checkpoint");
        }
        for (Map.Entry<Long, byte[]> e : undo.entrySet()) {
            if (e.getValue() == null) {
                pages.remove(e.getKey());
            } else {
                pages.put(e.getKey(), e.getValue());
            }
        }
        undo = null;
    }

    /**
     * Writes every held page down to the base and forgets them: used when an overlay stages one filesystem's
     * changes over a partition of another overlay, so the outer one keeps the exact picture of what changed.
     */
    public void writeBack() throws IOException {
        if (undo != null) {
            throw new IllegalStateException("writeBack inside a checkpoint");
        }
        for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
            long start = e.getKey() * PAGE_BYTES;
            int n = (int) Math.min(PAGE_BYTES, sizeBytes() - start);
            base.write(start, e.getValue(), 0, n);
        }
        pages.clear();
    }

    /** Whether any byte in [startBytes, endBytes) may differ from the base (a page there was written). */
    public boolean touches(long startBytes, long endBytes) {
        if (endBytes <= startBytes) {
            return false;
        }
        Long k = pages.ceilingKey(startBytes / PAGE_BYTES);
        return k != null && k * PAGE_BYTES < endBytes;
    }

    /** Number of pages held; each is 4 KiB of memory. */
    public int pageCount() {
        return pages.size();
    }

    /**
     * The exact byte ranges where the overlay differs from the base, sorted and merged. Pages written back with
     * the base's own bytes do not count.
     */
    public List<ByteRange> changedRanges() throws IOException {
        List<ByteRange> out = new ArrayList<>();
        byte[] orig = new byte[PAGE_BYTES];
        long runStart = -1;
        long runEnd = -1;
        for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
            long start = e.getKey() * PAGE_BYTES;
            int n = (int) Math.min(PAGE_BYTES, sizeBytes() - start);
            base.read(start, orig, 0, n);
            byte[] page = e.getValue();
            int i = 0;
            while (i < n) {
                int m = Arrays.mismatch(page, i, n, orig, i, n);
                if (m < 0) {
                    break;
                }
                int first = i + m;
                int last = first;
                while (last < n && page[last] != orig[last]) {
                    last++;
                }
                long s = start + first;
                long t = start + last;
                if (runEnd == s) {
                    runEnd = t;
                } else {
                    if (runStart >= 0) {
                        out.add(new ByteRange(runStart, runEnd));
                    }
                    runStart = s;
                    runEnd = t;
                }
                i = last;
            }
        }
        if (runStart >= 0) {
            out.add(new ByteRange(runStart, runEnd));
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        base.close();
    }
}
