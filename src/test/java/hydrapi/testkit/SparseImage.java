// SPDX-License-Identifier: Apache-2.0
package hydrapi.testkit;

import hydrapi.io.BlockDevice;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A disk or partition image as a fuzz input: a size, then chunks of bytes at offsets, everything else zero.
 * Filesystem metadata lies far apart (a FAT32 volume's second FAT and root directory sit half a megabyte after its
 * boot sector), so a raw image would be a huge, mostly-zero input the fuzzer mutates mostly in vain; chunks keep
 * the input to the bytes that matter. Layout, little-endian: {@code u32 sizeBytes}, then repeated
 * {@code u32 offset, u16 length, length bytes}; a short last chunk is cut, chunks past the size are clipped, a later
 * chunk overwrites an earlier one. The device is writable in memory (pages allocated on write).
 */
public final class SparseImage implements BlockDevice {

    /** Large enough for a FAT32 volume (65525 clusters of 512 bytes) and a few ext4 groups, small enough to walk. */
    public static final long MAX_SIZE_BYTES = 64L << 20;
    private static final int PAGE = 4096;

    private final long sizeBytes;
    private final Map<Long, byte[]> pages = new HashMap<>();

    private SparseImage(long sizeBytes) {
        this.sizeBytes = sizeBytes;
    }

    /** The device an input describes; any input decodes to some device. */
    public static SparseImage decode(byte[] in) {
        if (in.length < 4) {
            return new SparseImage(0);
        }
        long size = Math.min(u32(in, 0), MAX_SIZE_BYTES);
        SparseImage img = new SparseImage(size);
        int p = 4;
        while (p + 6 <= in.length) {
            long off = u32(in, p);
            int len = (in[p + 4] & 0xFF) | (in[p + 5] & 0xFF) << 8;
            p += 6;
            len = Math.min(len, in.length - p);
            long end = Math.min(off + len, size);
            if (off < end) {
                img.put(off, in, p, (int) (end - off));
            }
            p += len;
        }
        return img;
    }

    /** The input describing {@code image}: its non-zero 512-byte sectors, joined into chunks. */
    public static byte[] encode(byte[] image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeU32(out, image.length);
        int sector = 512;
        int i = 0;
        while (i < image.length) {
            if (isZero(image, i, Math.min(sector, image.length - i))) {
                i += sector;
                continue;
            }
            int start = i;
            while (i < image.length && i - start < 65535 - sector
                    && !isZero(image, i, Math.min(sector, image.length - i))) {
                i += sector;
            }
            int end = Math.min(i, image.length);
            writeU32(out, start);
            out.write((end - start) & 0xFF);
            out.write((end - start) >>> 8);
            out.write(image, start, end - start);
        }
        return out.toByteArray();
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, sizeBytes);
        int done = 0;
        while (done < len) {
            long pos = offsetBytes + done;
            int inPage = (int) (pos % PAGE);
            int n = Math.min(len - done, PAGE - inPage);
            byte[] page = pages.get(pos / PAGE);
            if (page == null) {
                Arrays.fill(buf, off + done, off + done + n, (byte) 0);
            } else {
                System.arraycopy(page, inPage, buf, off + done, n);
            }
            done += n;
        }
    }

    @Override
    public void write(long offsetBytes, byte[] buf, int off, int len) throws IOException {
        BlockDevice.checkRange(offsetBytes, len, sizeBytes);
        put(offsetBytes, buf, off, len);
    }

    private void put(long offsetBytes, byte[] buf, int off, int len) {
        int done = 0;
        while (done < len) {
            long pos = offsetBytes + done;
            int inPage = (int) (pos % PAGE);
            int n = Math.min(len - done, PAGE - inPage);
            System.arraycopy(buf, off + done, pages.computeIfAbsent(pos / PAGE, k -> new byte[PAGE]), inPage, n);
            done += n;
        }
    }

    private static boolean isZero(byte[] b, int off, int len) {
        for (int k = off; k < off + len; k++) {
            if (b[k] != 0) {
                return false;
            }
        }
        return true;
    }

    private static long u32(byte[] b, int p) {
        return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24;
    }

    private static void writeU32(ByteArrayOutputStream out, long v) {
        for (int k = 0; k < 4; k++) {
            out.write((int) (v >>> (8 * k)) & 0xFF);
        }
    }

    /** {@code SparseImage RAW OUT}: a raw image made by real tools as a seed (testdata/make-fuzz-seeds.sh). */
    public static void main(String[] args) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of(args[0]));
        if (raw.length > MAX_SIZE_BYTES) {
            throw new IllegalArgumentException(args[0] + ": larger than " + MAX_SIZE_BYTES + " bytes");
        }
        Files.write(Path.of(args[1]), encode(raw));
    }
}
