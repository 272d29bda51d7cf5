// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import hydrapi.HydrapiException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.XZIOException;

/**
 * Decodes one Block in place and checks everything the format lets one check (xz-file-format.txt §3): header
 * sizes against the Index, the amount of Compressed Data, zero Block Padding, and the Check of the decoded bytes.
 * One instance per thread; its ArrayCache recycles the LZMA2 dictionary from Block to Block.
 */
final class XzBlockDecoder {

    /** Receives decoded bytes in order; {@code b} is reused after the call returns. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] b, int off, int len) throws IOException;
    }

    private final FileChannel channel;
    private final String name;
    private final ArrayCache cache;
    private final byte[] buf = new byte[256 << 10];

    XzBlockDecoder(FileChannel channel, String name) {
        this(channel, name, new BasicArrayCache());
    }

    /** @param cache may be shared between threads (xz-java's caches are thread-safe) */
    XzBlockDecoder(FileChannel channel, String name, ArrayCache cache) {
        this.channel = channel;
        this.name = name;
        this.cache = cache;
    }

    /** @param where e.g. "stream 1 block 7", used in messages */
    void decode(XzStreamInfo stream, XzBlockInfo block, String where) throws IOException {
        decode(stream, block, where, null);
    }

    /**
     * Decodes and checks one Block, handing its bytes to {@code sink} (may be null) as they come. The Check is
     * verified only at the end, so a caller must not trust what the sink received before this returns.
     */
    void decode(XzStreamInfo stream, XzBlockInfo block, String where, Sink sink) throws IOException {
        String at = where + " at offset " + block.compressedOffset();
        XzBlockHeader h = XzFile.readBlockHeader(channel, block.compressedOffset(), block.unpaddedSize(), name, where);
        XzIndex.Entry entry = new XzIndex.Entry(block.unpaddedSize(), block.uncompressedSize());
        XzFile.checkHeaderAgainstIndex(h, entry, stream.checkType(), name, at);
        XzCheck check = XzCheck.create(stream.checkType(), name + ": " + at);
        int checkSize = XzCheck.size(stream.checkType());
        long dataSize = block.unpaddedSize() - h.headerSize() - checkSize;
        ChannelInputStream compressed = new ChannelInputStream(channel, block.compressedOffset() + h.headerSize(),
                dataSize);
        long decoded = 0;
        try (InputStream in = XzFilterChain.decoder(h.filters(), compressed, block.uncompressedSize(), cache,
                name + ": " + at)) {
            int n;
            while ((n = in.read(buf, 0, buf.length)) > 0) {
                decoded += n;
                if (decoded > block.uncompressedSize()) {
                    throw XzFile.corrupt(name, at + " decodes to more than the " + block.uncompressedSize()
                            + " bytes its Index record gives");
                }
                check.update(buf, 0, n);
                if (sink != null) {
                    sink.accept(buf, 0, n);
                }
            }
        } catch (EOFException e) {
            throw XzFile.corrupt(name, at + ": Compressed Data continues past the " + dataSize
                    + " bytes the Index allows");
        } catch (XZIOException | RuntimeException e) {
            // xz-java reports bad LZMA2 data as CorruptedInputException; anything it throws here is bad input
            throw XzFile.corrupt(name, at + ": Compressed Data is corrupt (" + e.getClass().getSimpleName() + ")");
        } catch (HydrapiException e) {
            throw e;
        }
        if (decoded != block.uncompressedSize()) {
            throw XzFile.corrupt(name, at + " decodes to " + decoded + " bytes, its Index record says "
                    + block.uncompressedSize());
        }
        if (compressed.remaining() != 0) {
            throw XzFile.corrupt(name, at + ": LZMA2 data ends " + compressed.remaining()
                    + " bytes before the Compressed Size the Index gives");
        }
        long tailAt = block.compressedOffset() + block.paddedSize() - checkSize - (-(h.headerSize() + dataSize) & 3);
        byte[] tail = XzFile.read(channel, tailAt, (int) (block.compressedOffset() + block.paddedSize() - tailAt),
                name);
        int padding = tail.length - checkSize;
        for (int i = 0; i < padding; i++) {
            if (tail[i] != 0) {
                throw XzFile.corrupt(name, at + ": Block Padding is not zero");
            }
        }
        byte[] expected = new byte[checkSize];
        System.arraycopy(tail, padding, expected, 0, checkSize);
        if (!MessageDigest.isEqual(expected, check.finish())) {
            throw XzFile.corrupt(name, at + ": Check of the decoded data does not match");
        }
    }
}
