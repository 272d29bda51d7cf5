// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.io.ScratchWriteException;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Decoded Blocks kept in a sparse scratch file: each written once, by whichever thread needs it first, then read
 * any number of times; all-zero pages are left as holes. The file is deleted on close (on Linux and macOS already
 * when created, so not even a killed process leaves it behind). What lets {@link XzBlockDevice} decode no Block twice
 * and hold none on the heap (issue 14).
 */
final class SpillFile implements Closeable {

    private static final int PAGE_BYTES = 4096;
    private static final byte[] ZERO_PAGE = new byte[PAGE_BYTES];

    /** Writes one Block's bytes, in order, into the sink it is given. */
    interface Filler {
        void fill(XzBlockDecoder.Sink sink) throws IOException;
    }

    private final FileChannel channel;
    private final Path path;
    /** Where Block i lies in the file, or -1 while it is not there. */
    private final AtomicLongArray offset;
    /** Blocks being written; guarded by itself. */
    private final Map<Integer, CompletableFuture<Void>> pending = new HashMap<>();
    private long end;

    private SpillFile(FileChannel channel, Path path, int blocks) {
        this.channel = channel;
        this.path = path;
        this.offset = new AtomicLongArray(blocks);
        for (int i = 0; i < blocks; i++) {
            offset.set(i, -1);
        }
    }

    static SpillFile create(Path dir, int blocks) throws IOException {
        Path f;
        try {
            f = Files.createTempFile(dir, "hydrapi-decoded-", ".img");
        } catch (IOException e) {
            throw new ScratchWriteException(dir, e);
        }
        try {
            // SPARSE: holes where pages are zero, on filesystems that need to be asked (NTFS).
            return new SpillFile(FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.SPARSE, StandardOpenOption.DELETE_ON_CLOSE), f, blocks);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(f);
            throw e;
        }
    }

    /**
     * Where Block i lies in the file; the first call runs {@code fill} to write its {@code sizeBytes}, others wait for
     * it. The place is known only once {@code fill} has returned (for a decoder: its Check matched), so no read sees
     * a byte that was not checked.
     */
    long locate(int i, long sizeBytes, Filler fill) throws IOException {
        long at = offset.get(i);
        if (at >= 0) {
            return at;
        }
        CompletableFuture<Void> f;
        boolean mine = false;
        synchronized (pending) {
            at = offset.get(i);
            if (at >= 0) {
                return at;
            }
            f = pending.get(i);
            if (f == null) {
                f = new CompletableFuture<>();
                pending.put(i, f);
                mine = true;
            }
        }
        if (!mine) {
            await(f, i);
            return offset.get(i);
        }
        try {
            long start;
            synchronized (pending) {
                start = end;
                end += sizeBytes;
            }
            write(start, fill);
            offset.set(i, start);
            f.complete(null);
            return start;
        } catch (IOException | RuntimeException | Error e) {
            f.completeExceptionally(e);
            throw e;
        } finally {
            synchronized (pending) {
                pending.remove(i);
            }
        }
    }

    /** Runs {@code fill} through a small staging buffer that writes only non-zero pages, from {@code start} on. */
    private void write(long start, Filler fill) throws IOException {
        byte[] staging = new byte[64 * PAGE_BYTES];
        long[] written = {0};
        int[] filled = {0};
        fill.fill((src, off, len) -> {
            while (len > 0) {
                int n = Math.min(len, staging.length - filled[0]);
                System.arraycopy(src, off, staging, filled[0], n);
                filled[0] += n;
                off += n;
                len -= n;
                if (filled[0] == staging.length) {
                    writePages(staging, filled[0], start + written[0]);
                    written[0] += filled[0];
                    filled[0] = 0;
                }
            }
        });
        writePages(staging, filled[0], start + written[0]);
    }

    private void writePages(byte[] data, int len, long at) throws IOException {
        for (int p = 0; p < len; p += PAGE_BYTES) {
            int n = Math.min(PAGE_BYTES, len - p);
            if (Arrays.mismatch(data, p, p + n, ZERO_PAGE, 0, n) >= 0) {
                ByteBuffer bb = ByteBuffer.wrap(data, p, n);
                try {
                    while (bb.hasRemaining()) {
                        channel.write(bb, at + bb.position());
                    }
                } catch (IOException e) {
                    throw new ScratchWriteException(path.toAbsolutePath().getParent(), e);
                }
            }
        }
    }

    /** Positional read; past the file's end (trailing zero pages never written) reads zeros. */
    void read(long at, byte[] buf, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        while (bb.hasRemaining()) {
            if (channel.read(bb, at + bb.position() - off) < 0) {
                Arrays.fill(buf, bb.position(), off + len, (byte) 0);
                return;
            }
        }
    }

    private static void await(CompletableFuture<Void> f, int i) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for block " + i + " to be decoded");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("decoding block " + i + " failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(path);
        }
    }
}
