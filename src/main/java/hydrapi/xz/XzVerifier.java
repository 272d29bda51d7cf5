// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Full integrity check of an .xz file: its structure ({@link XzFile}), then every Block decoded and checked
 * ({@link XzBlockDecoder}), Blocks spread over threads. Failures are reported in file order, so the message names
 * the first bad Block whatever the thread count.
 */
public final class XzVerifier {

    private XzVerifier() {
    }

    public static List<XzStreamInfo> verify(Path file, int threads, LongConsumer progress) throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads + " must be positive");
        }
        String name = file.getFileName().toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            List<XzStreamInfo> streams = XzFile.readStructure(ch, name);
            AtomicInteger threadNo = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "hydrapi-xz-verify-" + threadNo.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            ThreadLocal<XzBlockDecoder> decoders = ThreadLocal.withInitial(() -> new XzBlockDecoder(ch, name));
            try {
                Deque<Future<Long>> inFlight = new ArrayDeque<>();
                long done = 0;
                for (int s = 0; s < streams.size(); s++) {
                    XzStreamInfo stream = streams.get(s);
                    for (XzBlockInfo block : stream.blocks()) {
                        // numbered from 1, as xz -lvv does
                        String where = "stream " + (s + 1) + " block " + (block.index() + 1);
                        if (inFlight.size() >= 2 * threads) {
                            done += await(inFlight.removeFirst());
                            report(progress, done);
                        }
                        inFlight.addLast(pool.submit(() -> {
                            decoders.get().decode(stream, block, where);
                            return block.uncompressedSize();
                        }));
                    }
                }
                while (!inFlight.isEmpty()) {
                    done += await(inFlight.removeFirst());
                    report(progress, done);
                }
            } finally {
                pool.shutdownNow();
            }
            return streams;
        }
    }

    private static void report(LongConsumer progress, long done) {
        if (progress != null) {
            progress.accept(done);
        }
    }

    private static long await(Future<Long> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while verifying the .xz file");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("xz verification worker failed: " + cause, cause);
        }
    }
}
