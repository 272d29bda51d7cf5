// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.BlockDevice;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
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
import java.util.function.LongConsumer;

/**
 * Writes one .xz Stream of independently compressed Blocks, the layout of {@code xz -T} (xz-and-checksums.md §2):
 * CRC64 check, fixed-size Blocks whose headers carry both sizes, one Index, no Stream Padding. xz-java has no
 * threads of its own, so each worker runs the raw LZMA2 encoder on one Block; Blocks are written in input order.
 * Block boundaries depend only on {@code blockBytes}, so the bytes are the same for any thread count.
 */
public final class ParallelXzWriter {

    /** xz-utils' MT block size for -6: 3 × the 8 MiB dictionary (liblzma lzma2_encoder.c lzma_lzma2_block_size). */
    public static final int DEFAULT_BLOCK_BYTES = 24 << 20;

    private static final int CHECK_TYPE = XzCheck.CRC64;

    private final int threads;
    private final int blockBytes;
    private final int preset;
    private final int dictProp;

    public ParallelXzWriter(int threads, int blockBytes, int preset) {
        if (threads < 1 || blockBytes < 1) {
            throw new IllegalArgumentException("threads " + threads + " and blockBytes " + blockBytes
                    + " must be positive");
        }
        this.threads = threads;
        this.blockBytes = blockBytes;
        this.preset = preset;
        this.dictProp = XzFilter.lzma2DictProp(Lzma2BlockEncoder.options(preset).getDictSize());
    }

    /**
     * Compresses [0, source.sizeBytes()) into {@code out}, which is neither flushed nor closed. The source is read
     * from this thread only, in order, so it need not be thread-safe.
     */
    public XzWriteSummary write(BlockDevice source, OutputStream out, LongConsumer progress) throws IOException {
        long size = source.sizeBytes();
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "hydrapi-xz-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ThreadLocal<Lzma2BlockEncoder> encoders = ThreadLocal.withInitial(() -> new Lzma2BlockEncoder(preset));
        // Each Block in flight holds its input and output (up to 2 × blockBytes); 2 per thread keeps workers busy
        // while the writer waits for the oldest.
        int maxInFlight = 2 * threads;
        try {
            Deque<Future<EncodedBlock>> inFlight = new ArrayDeque<>();
            Sink sink = new Sink(out, progress);
            sink.write(XzStreamFlags.encodeHeader(CHECK_TYPE));
            for (long offset = 0; offset < size; offset += blockBytes) {
                int length = (int) Math.min(blockBytes, size - offset);
                byte[] data = new byte[length];
                source.read(offset, data, 0, length);
                Callable<EncodedBlock> task = Lzma2BlockEncoder.isAllZero(data, length)
                        ? () -> encoders.get().encodeZeros(length)
                        : () -> encoders.get().encode(data, length);
                if (inFlight.size() >= maxInFlight) {
                    sink.writeBlock(await(inFlight.removeFirst()), dictProp);
                }
                inFlight.addLast(pool.submit(task));
            }
            while (!inFlight.isEmpty()) {
                sink.writeBlock(await(inFlight.removeFirst()), dictProp);
            }
            byte[] index = XzIndex.encode(sink.index);
            sink.write(index);
            sink.write(XzStreamFlags.encodeFooter(CHECK_TYPE, index.length));
            return new XzWriteSummary(size, sink.written, sink.index.size(), sink.zeroBlocks);
        } finally {
            // Workers never touch `out`; any still encoding finish their Block and exit.
            pool.shutdownNow();
        }
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
        private final List<XzIndex.Entry> index = new ArrayList<>();
        private long written;
        private long uncompressedDone;
        private int zeroBlocks;

        Sink(OutputStream out, LongConsumer progress) {
            this.out = out;
            this.progress = progress;
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
            uncompressedDone += block.uncompressedSize();
            if (progress != null) {
                progress.accept(uncompressedDone);
            }
        }
    }
}
