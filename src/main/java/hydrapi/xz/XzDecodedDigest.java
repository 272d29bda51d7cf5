// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;

/**
 * SHA-256 and size of the data an .xz file decodes to (an Imager manifest's {@code extract_sha256} and
 * {@code extract_size}, xz-and-checksums.md §6), found by decoding Blocks in parallel and hashing them in order; no
 * recompression. Every Block's Check is verified on the way, so this is also a full {@link XzVerifier} pass.
 */
public record XzDecodedDigest(String sha256Hex, long sizeBytes) {

    /** Blocks up to this size are decoded to memory by workers; a larger one is decoded on the calling thread. */
    private static final long PARALLEL_BLOCK_MAX = XzBlockDevice.MAX_BLOCK_BYTES;

    public static XzDecodedDigest sha256(Path xz, int threads, LongConsumer progress) throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads + " must be positive");
        }
        String name = xz.getFileName().toString();
        MessageDigest md = newSha256();
        try (FileChannel ch = FileChannel.open(xz, StandardOpenOption.READ)) {
            List<XzStreamInfo> streams = XzFile.readStructure(ch, name);
            ArrayCache arrays = new BasicArrayCache();
            AtomicInteger threadNo = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "hydrapi-xz-digest-" + threadNo.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            long done = 0;
            try {
                // Each decoded Block waits here for its turn; 2 per thread bounds memory to about
                // 2 × threads × the Block size while keeping every worker busy.
                Deque<Future<byte[]>> inFlight = new ArrayDeque<>();
                for (int s = 0; s < streams.size(); s++) {
                    XzStreamInfo stream = streams.get(s);
                    for (XzBlockInfo block : stream.blocks()) {
                        // numbered from 1, as xz -lvv does
                        String where = "stream " + (s + 1) + " block " + (block.index() + 1);
                        if (block.uncompressedSize() > PARALLEL_BLOCK_MAX) {
                            while (!inFlight.isEmpty()) {
                                done += hash(md, await(inFlight.removeFirst()), progress, done);
                            }
                            new XzBlockDecoder(ch, name, arrays).decode(stream, block, where, md::update);
                            done += block.uncompressedSize();
                            report(progress, done);
                            continue;
                        }
                        if (inFlight.size() >= 2 * threads) {
                            done += hash(md, await(inFlight.removeFirst()), progress, done);
                        }
                        inFlight.addLast(pool.submit(() -> decodeToArray(ch, name, arrays, stream, block, where)));
                    }
                }
                while (!inFlight.isEmpty()) {
                    done += hash(md, await(inFlight.removeFirst()), progress, done);
                }
            } finally {
                pool.shutdownNow();
            }
            return new XzDecodedDigest(HexFormat.of().formatHex(md.digest()), done);
        }
    }

    private static byte[] decodeToArray(FileChannel ch, String name, ArrayCache arrays, XzStreamInfo stream,
            XzBlockInfo block, String where) throws IOException {
        byte[] data = new byte[(int) block.uncompressedSize()];
        int[] filled = {0};
        new XzBlockDecoder(ch, name, arrays).decode(stream, block, where, (b, off, len) -> {
            System.arraycopy(b, off, data, filled[0], len);
            filled[0] += len;
        });
        return data;
    }

    private static long hash(MessageDigest md, byte[] data, LongConsumer progress, long doneBefore) {
        md.update(data);
        report(progress, doneBefore + data.length);
        return data.length;
    }

    private static void report(LongConsumer progress, long done) {
        if (progress != null) {
            progress.accept(done);
        }
    }

    private static byte[] await(Future<byte[]> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing the decoded image");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("xz decoding worker failed: " + cause, cause);
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
