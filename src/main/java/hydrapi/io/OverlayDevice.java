// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 *
 * <p>Pages live in memory up to a budget; past it, new pages go to a scratch file (deleted on close), so an overlay
 * adding gigabytes costs disk, not heap (issue 14: no unbounded buffers). Reads may come from several threads
 * while nothing writes.
 */
public final class OverlayDevice implements BlockDevice {

    public static final int PAGE_BYTES = 4096;
    /** Marks a page held in the scratch file, at {@link #slots}' offset. */
    private static final byte[] SPILLED = new byte[0];

    private final BlockDevice base;
    private final TreeMap<Long, byte[]> pages = new TreeMap<>();
    /** Page number → its state when the checkpoint was taken (null value: the page was not in the overlay). */
    private Map<Long, byte[]> undo;
    private final long maxMemoryPages;
    private final Path spillDir;
    private long memoryPages;
    private FileChannel spill;
    private long spillEnd;
    /** Page number → offset in the scratch file, for pages marked {@link #SPILLED}. */
    private final Map<Long, Long> slots = new HashMap<>();

    /** An overlay holding every page in memory. */
    public OverlayDevice(BlockDevice base) {
        this(base, Long.MAX_VALUE, null);
    }

    /** An overlay holding up to {@code memoryBytes} of pages in memory and the rest in a file in {@code spillDir}. */
    public OverlayDevice(BlockDevice base, long memoryBytes, Path spillDir) {
        this.base = base;
        this.maxMemoryPages = spillDir == null ? Long.MAX_VALUE : Math.max(1, memoryBytes / PAGE_BYTES);
        this.spillDir = spillDir;
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
            if (page == SPILLED) {
                readSlot(slots.get(pageNo) + inPage, buf, off + done, n);
            } else if (page != null) {
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
            byte[] page = pages.get(pageNo);
            if (undo != null && !undo.containsKey(pageNo)) {
                undo.put(pageNo, page == null ? null : content(pageNo).clone());
            }
            if (page == SPILLED) {
                writeSlot(slots.get(pageNo) + inPage, buf, off + done, n);
            } else if (page != null) {
                System.arraycopy(buf, off + done, page, inPage, n);
            } else {
                page = new byte[PAGE_BYTES];
                long start = pageNo * PAGE_BYTES;
                base.read(start, page, 0, (int) Math.min(PAGE_BYTES, sizeBytes() - start));
                System.arraycopy(buf, off + done, page, inPage, n);
                store(pageNo, page);
            }
            done += n;
            pos += n;
        }
    }

    /** A held page's bytes: its array, or a copy read from the scratch file. */
    private byte[] content(long pageNo) throws IOException {
        byte[] page = pages.get(pageNo);
        if (page != SPILLED) {
            return page;
        }
        byte[] b = new byte[PAGE_BYTES];
        readSlot(slots.get(pageNo), b, 0, PAGE_BYTES);
        return b;
    }

    /** Holds a new page: in memory while the budget allows, else appended to the scratch file. */
    private void store(long pageNo, byte[] page) throws IOException {
        if (memoryPages < maxMemoryPages) {
            pages.put(pageNo, page);
            memoryPages++;
            return;
        }
        if (spill == null) {
            Path f;
            try {
                f = Files.createTempFile(spillDir, "hydrapi-overlay-", ".pages");
            } catch (IOException e) {
                throw new ScratchWriteException(spillDir, e);
            }
            try {
                spill = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.DELETE_ON_CLOSE);
            } finally {
                // Unlinked at once where the platform allows: nothing is left behind even by a killed build.
                if (spill == null) {
                    Files.deleteIfExists(f);
                }
            }
        }
        long at = spillEnd;
        spillEnd += PAGE_BYTES;
        writeSlot(at, page, 0, PAGE_BYTES);
        slots.put(pageNo, at);
        pages.put(pageNo, SPILLED);
    }

    private void forget(long pageNo) {
        byte[] page = pages.remove(pageNo);
        if (page == SPILLED) {
            slots.remove(pageNo);
        } else if (page != null) {
            memoryPages--;
        }
    }

    private void readSlot(long at, byte[] buf, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        while (bb.hasRemaining()) {
            if (spill.read(bb, at + bb.position() - off) < 0) {
                throw new java.io.EOFException("overlay scratch file ends before page data at " + at);
            }
        }
    }

    private void writeSlot(long at, byte[] buf, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        try {
            while (bb.hasRemaining()) {
                spill.write(bb, at + bb.position() - off);
            }
        } catch (IOException e) {
            throw new ScratchWriteException(spillDir, e);
        }
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
                forget(e.getKey());
            } else if (pages.get(e.getKey()) == SPILLED) {
                try {
                    writeSlot(slots.get(e.getKey()), e.getValue(), 0, PAGE_BYTES);
                } catch (IOException io) {
                    throw new java.io.UncheckedIOException("overlay scratch file unwritable during rollback", io);
                }
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
            base.write(start, content(e.getKey()), 0, n);
        }
        pages.clear();
        slots.clear();
        memoryPages = 0;
        if (spill != null) {
            spill.close();
            spill = null;
            spillEnd = 0;
        }
    }

    /** Whether any byte in [startBytes, endBytes) may differ from the base (a page there was written). */
    public boolean touches(long startBytes, long endBytes) {
        if (endBytes <= startBytes) {
            return false;
        }
        Long k = pages.ceilingKey(startBytes / PAGE_BYTES);
        return k != null && k * PAGE_BYTES < endBytes;
    }

    /** Number of pages held, in memory or in the scratch file. */
    public int pageCount() {
        return pages.size();
    }

    /** Pages held in the scratch file rather than in memory. */
    public int spilledPages() {
        return slots.size();
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
            byte[] page = content(e.getKey());
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
        try {
            if (spill != null) {
                spill.close();
            }
        } finally {
            base.close();
        }
    }
}
