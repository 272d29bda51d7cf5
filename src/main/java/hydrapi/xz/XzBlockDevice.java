// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.BlockDevice;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;

/**
 * The decoded bytes of a multi-block .xz file as a read-only device: a read decodes only the Blocks it touches
 * (each from its Block Header, the random access xz-and-checksums.md §5.3 describes) and keeps the last few decoded
 * Blocks in an LRU cache, so memory stays at about {@code cacheBlocks} × the largest Block. Every decoded Block is
 * checked against its Check field before any byte of it is returned. Reads may come from several threads.
 *
 * <p>Opened with a spill directory, a Block is decoded straight into a sparse scratch file there (its all-zero
 * pages left as holes), never into memory, and every read of it is served from that file: no Block is decoded
 * twice, and no decoded Block is held on the heap (one 24 MiB array each was most of a build's memory), however
 * scattered the reads (an ext4 directory's blocks over the disk made a small cache decode the same 24 MiB Blocks
 * again and again, issue 14). The file holds only the Blocks read, never a full copy unless everything is read;
 * it is deleted on close (on Linux and macOS already when opened, so not even a killed process leaves it).
 */
public final class XzBlockDevice implements BlockDevice {

    /** Largest Block worth decoding whole for random access; xz -T uses 24 MiB at -6 and 48 MiB at -7. */
    public static final long MAX_BLOCK_BYTES = 64L << 20;

    private final FileChannel channel;
    private final String name;
    private final List<XzStreamInfo> structure;
    private final XzStreamInfo[] streamOf;
    /** Stream number from 1 of each Block, for messages. */
    private final int[] streamNo;
    private final XzBlockInfo[] blocks;
    /** blockStart[i] = uncompressed offset of blocks[i]; empty Blocks are left out so the search is exact. */
    private final long[] blockStart;
    private final long sizeBytes;
    private final int cacheBlocks;
    private final ArrayCache arrays = new BasicArrayCache();
    /** Access-ordered; a future so that two threads wanting one Block decode it once. Guarded by itself. */
    private final LinkedHashMap<Integer, CompletableFuture<byte[]>> cache;
    private final java.util.concurrent.atomic.AtomicLong decodes = new java.util.concurrent.atomic.AtomicLong();
    /** Where decoded Blocks go, or null: then the in-memory LRU above holds them. */
    private final SpillFile spill;

    private XzBlockDevice(FileChannel channel, String name, List<XzStreamInfo> structure, int cacheBlocks,
            SpillFile spill) {
        this.channel = channel;
        this.spill = spill;
        this.name = name;
        this.structure = structure;
        this.cacheBlocks = cacheBlocks;
        List<XzStreamInfo> owners = new ArrayList<>();
        List<XzBlockInfo> list = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        long size = 0;
        for (int sn = 0; sn < structure.size(); sn++) {
            XzStreamInfo s = structure.get(sn);
            for (XzBlockInfo b : s.blocks()) {
                if (b.uncompressedSize() > 0) {
                    owners.add(s);
                    list.add(b);
                    numbers.add(sn + 1);
                }
                size += b.uncompressedSize();
            }
        }
        this.streamOf = owners.toArray(new XzStreamInfo[0]);
        this.blocks = list.toArray(new XzBlockInfo[0]);
        this.streamNo = numbers.stream().mapToInt(Integer::intValue).toArray();
        this.blockStart = new long[blocks.length];
        for (int i = 0; i < blocks.length; i++) {
            blockStart[i] = blocks[i].uncompressedOffset();
        }
        this.sizeBytes = size;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, CompletableFuture<byte[]>> eldest) {
                return size() > XzBlockDevice.this.cacheBlocks;
            }
        };
    }

    /**
     * Opens {@code xz} for random access. Throws UnsupportedImageException if {@link #isRandomAccess} is false for
     * it (a Block over {@link #MAX_BLOCK_BYTES}, e.g. a single-threaded xz's one huge Block): decode such a file
     * whole instead.
     */
    public static XzBlockDevice open(Path xz, int cacheBlocks) throws IOException {
        return open(xz, cacheBlocks, null);
    }

    /**
     * Like {@link #open(Path, int)}; with {@code spillDir} set, decoded Blocks are kept in a scratch file there so
     * none is decoded twice.
     */
    public static XzBlockDevice open(Path xz, int cacheBlocks, Path spillDir) throws IOException {
        if (cacheBlocks < 1) {
            throw new IllegalArgumentException("cacheBlocks " + cacheBlocks + " must be positive");
        }
        FileChannel ch = FileChannel.open(xz, StandardOpenOption.READ);
        try {
            String name = xz.getFileName().toString();
            List<XzStreamInfo> structure = XzFile.readStructure(ch, name);
            XzBlockInfo big = largestBlock(structure);
            if (big != null && big.uncompressedSize() > MAX_BLOCK_BYTES) {
                throw new hydrapi.UnsupportedImageException(name + ": block " + (big.index() + 1) + " holds "
                        + big.uncompressedSize() + " bytes, over the " + MAX_BLOCK_BYTES
                        + "-byte limit for random access; decode the file whole instead");
            }
            // Indexed like the device's blocks: the non-empty ones.
            int blocks = (int) structure.stream().flatMap(st -> st.blocks().stream())
                    .filter(b -> b.uncompressedSize() > 0).count();
            return new XzBlockDevice(ch, name, structure, cacheBlocks,
                    spillDir != null ? SpillFile.create(spillDir, blocks) : null);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Whether {@link #open} accepts a file of this structure: every Block at most {@link #MAX_BLOCK_BYTES}. */
    public static boolean isRandomAccess(List<XzStreamInfo> structure) {
        XzBlockInfo big = largestBlock(structure);
        return big == null || big.uncompressedSize() <= MAX_BLOCK_BYTES;
    }

    /** {@link #isRandomAccess(List)} of the file's structure; CorruptImageException if that cannot be read. */
    public static boolean isRandomAccess(Path xz) throws IOException {
        return isRandomAccess(XzFile.readStructure(xz));
    }

    private static XzBlockInfo largestBlock(List<XzStreamInfo> structure) {
        XzBlockInfo big = null;
        for (XzStreamInfo s : structure) {
            for (XzBlockInfo b : s.blocks()) {
                if (big == null || b.uncompressedSize() > big.uncompressedSize()) {
                    big = b;
                }
            }
        }
        return big;
    }

    /** The file's Streams and Blocks as {@link XzFile#readStructure} gives them (for the writer's block reuse). */
    public List<XzStreamInfo> structure() {
        return structure;
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, sizeBytes);
        long pos = offsetBytes;
        int done = 0;
        while (done < len) {
            int i = blockAt(pos);
            int inBlock = (int) (pos - blockStart[i]);
            int n = (int) Math.min(len - done, blocks[i].uncompressedSize() - inBlock);
            if (spill != null) {
                spill.read(spilled(i) + inBlock, buf, off + done, n);
            } else {
                System.arraycopy(decoded(i), inBlock, buf, off + done, n);
            }
            done += n;
            pos += n;
        }
    }

    /** Where Block i lies in the spill file, decoded there first (once, whichever thread asks first). */
    private long spilled(int i) throws IOException {
        XzBlockInfo b = blocks[i];
        return spill.locate(i, b.uncompressedSize(), sink -> {
            decodes.incrementAndGet();
            String where = "stream " + streamNo[i] + " block " + (b.index() + 1);
            new XzBlockDecoder(channel, name, arrays).decode(streamOf[i], b, where, sink);
        });
    }

    private int blockAt(long pos) {
        int i = Arrays.binarySearch(blockStart, pos);
        return i >= 0 ? i : -i - 2;
    }

    private byte[] decoded(int i) throws IOException {
        CompletableFuture<byte[]> f;
        boolean mine = false;
        synchronized (cache) {
            f = cache.get(i);
            if (f == null) {
                f = new CompletableFuture<>();
                cache.put(i, f);
                mine = true;
            }
        }
        if (mine) {
            try {
                f.complete(decode(i));
            } catch (IOException | RuntimeException | Error e) {
                synchronized (cache) {
                    cache.remove(i, f);
                }
                f.completeExceptionally(e);
                throw e;
            }
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for block " + (blocks[i].index() + 1));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("decoding " + name + " failed: " + e.getCause(), e.getCause());
        }
    }

    /** Blocks decoded so far (cache misses), for tests and statistics. */
    public long decodedBlocks() {
        return decodes.get();
    }

    int cachedBlocks() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private byte[] decode(int i) throws IOException {
        decodes.incrementAndGet();
        XzBlockInfo b = blocks[i];
        byte[] data = new byte[(int) b.uncompressedSize()];
        int[] filled = {0};
        XzBlockDecoder decoder = new XzBlockDecoder(channel, name, arrays);
        // numbered from 1, as xz -lvv does
        String where = "stream " + streamNo[i] + " block " + (b.index() + 1);
        decoder.decode(streamOf[i], b, where, (src, off, len) -> {
            System.arraycopy(src, off, data, filled[0], len);
            filled[0] += len;
        });
        return data;
    }

    @Override
    public void write(long offsetBytes, byte[] buf, int off, int len) {
        throw new IllegalStateException("write to a read-only .xz device");
    }

    @Override
    public void close() throws IOException {
        synchronized (cache) {
            cache.clear();
        }
        try {
            channel.close();
        } finally {
            if (spill != null) {
                spill.close();
            }
        }
    }
}
