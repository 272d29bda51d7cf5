// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.BlockDevice;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.LongConsumer;

/**
 * Writes one .xz Stream of independently compressed Blocks, the layout of {@code xz -T} (xz-and-checksums.md §2):
 * CRC64 check, fixed-size Blocks whose headers carry both sizes, one Index, no Stream Padding. xz-java has no
 * threads of its own, so each worker runs the raw LZMA2 encoder on one Block; Blocks are written in input order.
 *
 * <p>A cell of the grid that the build changed is written as Blocks of {@link #SPLIT_BLOCK_BYTES} instead: a later
 * build that changes the same cell a little differently finds most of them in a {@link CompressedBlockCache}, and
 * small Blocks compress faster; the cost is a somewhat larger output for those few cells (each small Block starts
 * with an empty dictionary). Block boundaries depend only on {@code blockBytes} and the changed ranges, never on
 * the thread count or the cache, so the bytes are the same for any of those.
 */
public final class ParallelXzWriter {

    /** xz-utils' MT block size for -6: 3 × the 8 MiB dictionary (liblzma lzma2_encoder.c lzma_lzma2_block_size). */
    public static final int DEFAULT_BLOCK_BYTES = 24 << 20;
    /** Size of the Blocks a changed cell is split into (issue 14). */
    public static final int SPLIT_BLOCK_BYTES = 4 << 20;

    private static final int CHECK_TYPE = XzCheck.CRC64;

    private final int threads;
    private final int blockBytes;
    private final int splitBytes;
    private final int preset;
    private final CompressedBlockCache cache;

    public ParallelXzWriter(int threads, int blockBytes, int preset) {
        this(threads, blockBytes, preset, null);
    }

    /**
     * A writer that takes Blocks from {@code cache} (null: none) when it holds them for the same bytes and encoder,
     * and stores the Blocks it compresses there. The output bytes are the same with or without a cache.
     */
    public ParallelXzWriter(int threads, int blockBytes, int preset, CompressedBlockCache cache) {
        if (threads < 1 || blockBytes < 1) {
            throw new IllegalArgumentException("threads " + threads + " and blockBytes " + blockBytes
                    + " must be positive");
        }
        this.threads = threads;
        this.blockBytes = blockBytes;
        this.splitBytes = Math.min(blockBytes, SPLIT_BLOCK_BYTES);
        this.preset = preset;
        this.cache = cache;
        Lzma2BlockEncoder.options(preset); // a preset outside 0-9 is refused here, not in a worker
    }

    /**
     * Compresses [0, source.sizeBytes()) into {@code out}, which is neither flushed nor closed. The source is read by
     * the worker threads at once, so it must allow concurrent reads and must not change while this runs.
     */
    public XzWriteSummary write(BlockDevice source, OutputStream out, LongConsumer progress) throws IOException {
        return write(source, (start, end) -> false, out, progress);
    }

    /**
     * Like {@link #write(BlockDevice, OutputStream, LongConsumer)}; a cell [start, end) of the {@code blockBytes}
     * grid for which {@code changed} holds is written as Blocks of {@link #SPLIT_BLOCK_BYTES}.
     *
     * @param changed whether any byte in [start, end) of {@code source} differs from the base it was made from
     */
    public XzWriteSummary write(BlockDevice source, BiPredicate<Long, Long> changed, OutputStream out,
            LongConsumer progress) throws IOException {
        List<Piece> pieces = new ArrayList<>();
        for (long cell = 0; cell < source.sizeBytes(); cell += blockBytes) {
            long end = Math.min(source.sizeBytes(), cell + blockBytes);
            grid(cell, end, changed.test(cell, end) ? splitBytes : blockBytes, pieces);
        }
        return run(source, pieces, CHECK_TYPE, null, out, progress, encoding(blockBytes));
    }

    /**
     * The encoder settings for Blocks of at most {@code largestBlock}: the dictionary (smaller than the preset's
     * when the Blocks are, which halves the encoders' memory when only 4 MiB Blocks are compressed), its header
     * property, and the identity the cache keys on.
     */
    private record Encoding(int dictBytes, int dictProp, String id) {
    }

    private Encoding encoding(int largestBlock) {
        int dict = Lzma2BlockEncoder.dictBytesFor(preset, largestBlock);
        return new Encoding(dict, XzFilter.lzma2DictProp(dict), new Lzma2BlockEncoder(preset, dict).identity());
    }

    /**
     * Like {@link #write}, but reuses the compressed Blocks of {@code baseXz}, the .xz file {@code source} was
     * derived from (xz-and-checksums.md §5.1): the output's Block grid follows the base's Blocks; a Block whose
     * uncompressed range [start, end) {@code touched} says was not written is copied byte for byte (Header, Data,
     * Padding, Check) with the same Index record; a touched Block is recompressed as Blocks of
     * {@link #SPLIT_BLOCK_BYTES} (at most {@code blockBytes}) from its start. One Stream is written, with the base's
     * Check type.
     * The untouched Blocks are not decoded here, so they are not checked either: decode the output (e.g.
     * {@link XzDecodedDigest}) to prove it.
     *
     * <p>Falls back to {@link #write} (CRC64, fixed grid, nothing reused) when the base's Streams have different
     * Check types, an unsupported one, or a decoded size other than {@code source.sizeBytes()}.
     *
     * @param baseStructure {@code XzFile.readStructure(baseXz)}
     * @param touched whether any byte in [start, end) of {@code source} may differ from the base
     */
    public XzWriteSummary writeReusing(BlockDevice source, Path baseXz, List<XzStreamInfo> baseStructure,
            BiPredicate<Long, Long> touched, OutputStream out, LongConsumer progress) throws IOException {
        if (!reusable(baseStructure, source.sizeBytes())) {
            return write(source, out, progress);
        }
        List<Piece> pieces = new ArrayList<>();
        for (XzStreamInfo s : baseStructure) {
            for (XzBlockInfo b : s.blocks()) {
                long start = b.uncompressedOffset();
                long end = start + b.uncompressedSize();
                if (touched.test(start, end)) {
                    grid(start, end, splitBytes, pieces);
                } else {
                    pieces.add(new Piece(start, b.uncompressedSize(), b));
                }
            }
        }
        try (FileChannel base = FileChannel.open(baseXz, StandardOpenOption.READ)) {
            return run(source, pieces, baseStructure.get(0).checkType(), base, out, progress, encoding(splitBytes));
        }
    }

    /** Same Check type everywhere (copied Blocks carry their own Checks) and the same decoded size. */
    private static boolean reusable(List<XzStreamInfo> base, long sizeBytes) {
        if (base.isEmpty()) {
            return false;
        }
        int check = base.get(0).checkType();
        long size = 0;
        for (XzStreamInfo s : base) {
            if (s.checkType() != check) {
                return false;
            }
            size += s.uncompressedSize();
        }
        return XzCheck.isSupported(check) && size == sizeBytes;
    }

    /** Appends new Blocks of at most {@code size} covering [start, end). */
    private static void grid(long start, long end, int size, List<Piece> pieces) {
        for (long offset = start; offset < end; offset += size) {
            pieces.add(new Piece(offset, Math.min(size, end - offset), null));
        }
    }

    /** One output Block: a base Block to copy ({@code copy} set), or [offset, offset+length) of the source to encode. */
    private record Piece(long offset, long length, XzBlockInfo copy) {
    }

    /** Bytes a worker reads from the source at a time: input memory is this per thread, whatever the Block size. */
    static final int CHUNK_BYTES = 1 << 20;

    /**
     * Compresses [offset, offset+length) of {@code source} into one Block, on a worker, reading it in chunks twice:
     * first for its Check, whether it is all zeros and (with a cache) its SHA-256, then, unless the zero encoding or
     * the cache has it, into the encoder. Reading twice costs far less than holding whole Blocks in memory.
     */
    private EncodedBlock encode(BlockDevice source, long offset, int length, int checkType,
            Lzma2BlockEncoder encoder, byte[] chunk, IncompressibleProbe probe, String encoderId) throws IOException {
        XzCheck check = XzCheck.create(checkType, "new block");
        java.security.MessageDigest sha = cache != null ? CompressedBlockCache.sha256() : null;
        boolean zero = true;
        probe.reset();
        for (int done = 0; done < length; ) {
            int n = Math.min(chunk.length, length - done);
            source.read(offset + done, chunk, 0, n);
            zero = zero && Lzma2BlockEncoder.isAllZero(chunk, n);
            check.update(chunk, 0, n);
            probe.update(chunk, 0, n);
            if (sha != null) {
                sha.update(chunk, 0, n);
            }
            done += n;
        }
        if (zero) {
            return encoder.encodeZeros(length, checkType);
        }
        byte[] checkValue = check.finish();
        byte[] key = null;
        if (cache != null) {
            key = cache.keyOfDigest(encoderId, sha.digest(), length);
            byte[] hit = cache.get(key, length);
            if (hit != null) {
                return new EncodedBlock(hit, hit.length, length, checkValue, false, true);
            }
        }
        EncodedBlock b = encoder.encode(source, offset, length, chunk, checkValue, probe.incompressible());
        if (cache != null) {
            cache.put(key, length, b.data(), b.dataLength());
        }
        return b;
    }

    private XzWriteSummary run(BlockDevice source, List<Piece> pieces, int checkType, FileChannel base,
            OutputStream out, LongConsumer progress, Encoding enc) throws IOException {
        int dictProp = enc.dictProp();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "hydrapi-xz-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ThreadLocal<Lzma2BlockEncoder> encoders = ThreadLocal.withInitial(() -> new Lzma2BlockEncoder(preset,
                enc.dictBytes()));
        ThreadLocal<byte[]> chunks = ThreadLocal.withInitial(() -> new byte[Math.min(CHUNK_BYTES, blockBytes)]);
        // One Deflate probe per worker; its native memory goes with the Deflater's cleaner.
        ThreadLocal<IncompressibleProbe> probe = ThreadLocal.withInitial(IncompressibleProbe::new);
        // Workers read their own input in chunks; a Block in flight holds only its output until written. One more
        // than the workers keeps them busy while the writer waits for the oldest. Copies wait in the queue too but
        // hold no memory.
        int maxInFlight = threads + 1;
        try {
            Deque<Pending> queue = new ArrayDeque<>();
            int encoding = 0;
            Sink sink = new Sink(out, progress, base);
            sink.write(XzStreamFlags.encodeHeader(checkType));
            for (Piece p : pieces) {
                if (p.copy() != null) {
                    queue.addLast(new Pending(null, p.copy()));
                    continue;
                }
                int length = (int) p.length();
                long offset = p.offset();
                Callable<EncodedBlock> task = () -> encode(source, offset, length, checkType, encoders.get(),
                        chunks.get(), probe.get(), enc.id());
                while (encoding >= maxInFlight) {
                    if (sink.drain(queue.removeFirst(), dictProp)) {
                        encoding--;
                    }
                }
                queue.addLast(new Pending(pool.submit(task), null));
                encoding++;
            }
            while (!queue.isEmpty()) {
                sink.drain(queue.removeFirst(), dictProp);
            }
            byte[] index = XzIndex.encode(sink.index);
            sink.write(index);
            sink.write(XzStreamFlags.encodeFooter(checkType, index.length));
            return new XzWriteSummary(source.sizeBytes(), sink.written, sink.index.size(), sink.zeroBlocks,
                    sink.reusedBlocks, sink.cachedBlocks);
        } finally {
            // Workers never touch `out`; any still encoding finish their Block and exit.
            pool.shutdownNow();
        }
    }

    /** A Block waiting for its turn in the output: being encoded, or to be copied from the base. */
    private record Pending(Future<EncodedBlock> encoded, XzBlockInfo copy) {
    }

    private static EncodedBlock await(Future<EncodedBlock> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing the image");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("xz compression worker failed: " + cause, cause);
        }
    }

    /** The ordered output side: Block Header, Compressed Data, Block Padding, Check; remembers the Index. */
    private static final class Sink {
        private static final byte[] PADDING = new byte[3];

        private final OutputStream out;
        private final LongConsumer progress;
        private final FileChannel base;
        private final List<XzIndex.Entry> index = new ArrayList<>();
        private long written;
        private long uncompressedDone;
        private int zeroBlocks;
        private int reusedBlocks;
        private int cachedBlocks;
        private ByteBuffer copyBuf;

        Sink(OutputStream out, LongConsumer progress, FileChannel base) {
            this.out = out;
            this.progress = progress;
            this.base = base;
        }

        /** Writes one queued Block; returns whether it was an encoded one (a worker's slot is free again). */
        boolean drain(Pending p, int dictProp) throws IOException {
            if (p.copy() != null) {
                copyBlock(p.copy());
                return false;
            }
            writeBlock(await(p.encoded()), dictProp);
            return true;
        }

        /** The whole Block, Block Padding included, as the base has it; the Index record is the base's. */
        void copyBlock(XzBlockInfo b) throws IOException {
            if (copyBuf == null) {
                copyBuf = ByteBuffer.allocate(1 << 20);
            }
            long pos = b.compressedOffset();
            long end = pos + b.paddedSize();
            while (pos < end) {
                copyBuf.clear().limit((int) Math.min(copyBuf.capacity(), end - pos));
                while (copyBuf.hasRemaining()) {
                    if (base.read(copyBuf, pos + copyBuf.position()) < 0) {
                        throw new EOFException("base .xz file ends at byte " + (pos + copyBuf.position())
                                + ", inside block " + (b.index() + 1) + "; was it changed during the build?");
                    }
                }
                out.write(copyBuf.array(), 0, copyBuf.limit());
                pos += copyBuf.limit();
            }
            written += b.paddedSize();
            index.add(new XzIndex.Entry(b.unpaddedSize(), b.uncompressedSize()));
            reusedBlocks++;
            done(b.uncompressedSize());
        }

        void write(byte[] b) throws IOException {
            out.write(b);
            written += b.length;
        }

        void writeBlock(EncodedBlock block, int dictProp) throws IOException {
            byte[] header = XzBlockHeader.encodeLzma2(block.dataLength(), block.uncompressedSize(), dictProp);
            write(header);
            out.write(block.data(), 0, block.dataLength());
            written += block.dataLength();
            int pad = -block.dataLength() & 3;
            out.write(PADDING, 0, pad);
            written += pad;
            write(block.check());
            index.add(new XzIndex.Entry(header.length + block.dataLength() + block.check().length,
                    block.uncompressedSize()));
            if (block.zero()) {
                zeroBlocks++;
            }
            if (block.cached()) {
                cachedBlocks++;
            }
            done(block.uncompressedSize());
        }

        private void done(long uncompressedBytes) {
            uncompressedDone += uncompressedBytes;
            if (progress != null) {
                progress.accept(uncompressedDone);
            }
        }
    }
}
