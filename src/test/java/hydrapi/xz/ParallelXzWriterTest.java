// SPDX-License-Identifier: Apache-2.0
package hydrapi.xz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelXzWriterTest {

    private static final int BLOCK = 256 << 10;

    @TempDir
    Path dir;

    /** Counts all-zero blocks the way the writer's caller would expect, independently of the writer's code. */
    private static int zeroChunks(byte[] data, int blockBytes) {
        int n = 0;
        for (int off = 0; off < data.length; off += blockBytes) {
            boolean zero = true;
            for (int i = off; i < Math.min(data.length, off + blockBytes) && zero; i++) {
                zero = data[i] == 0;
            }
            n += zero ? 1 : 0;
        }
        return n;
    }

    /** Asserts what {@code xz -lvv} says: Streams and Blocks counts, and that sizes are in block headers. */
    private static void assertXzList(Path xz, int blocks) throws IOException {
        String list = Oracles.xzList(xz);
        assertEquals("1", field(list, "Streams"), list);
        assertEquals(Integer.toString(blocks), field(list, "Blocks"), list);
        assertEquals("Yes", field(list, "Sizes in headers"), list);
        assertEquals("CRC64", field(list, "Check"), list);
        assertEquals("0 B", field(list, "Stream Padding"), list);
    }

    private static String field(String list, String name) {
        Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(name) + ":\\s+(.+)$").matcher(list);
        assertTrue(m.find(), name + " missing in xz -lvv output:\n" + list);
        return m.group(1).trim();
    }

    private void assertDecodersAgree(Path xz, byte[] expected) throws IOException {
        XzTestFiles.assertAllDecoders(xz, expected);
    }

    @Test
    void write_mixedData_decodesExactlyWithXzUtilsLibarchiveAndJava() throws IOException {
        Random rnd = new Random(XzTestFiles.seed("hydrapi.xz.writerSeed", 20261125L));
        byte[] data = XzTestFiles.imageLike(rnd, 3 * (1 << 20) + 12345, 64 << 10);
        List<Long> progress = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        XzWriteSummary s = new ParallelXzWriter(2, BLOCK, 6).write(new ByteArrayDevice(data), out, progress::add);

        Path xz = XzTestFiles.temp(dir, "mixed.xz", out.toByteArray());
        int blocks = (data.length + BLOCK - 1) / BLOCK;
        assertDecodersAgree(xz, data);
        assertXzList(xz, blocks);
        assertEquals(new XzWriteSummary(data.length, Files.size(xz), blocks, zeroChunks(data, BLOCK)), s);
        assertEquals(blocks, progress.size());
        assertEquals(data.length, progress.get(progress.size() - 1));
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) > progress.get(i - 1), "progress must grow: " + progress);
        }
    }

    @Test
    void write_zeroBlocks_countedAndReusedIdenticallyToFreshEncoding() throws IOException {
        // Four zero blocks interleaved with non-zero ones; a zero block's bytes (cached encoding) must equal
        // xz-utils' view of a valid block, and the last, shorter zero block must be handled too.
        byte[] data = new byte[4 * BLOCK + BLOCK / 3];
        Random rnd = new Random(7);
        for (int i = BLOCK; i < 2 * BLOCK; i += 97) {
            data[i] = (byte) (1 + rnd.nextInt(255));
        }
        data[3 * BLOCK + 5] = 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        XzWriteSummary s = new ParallelXzWriter(3, BLOCK, 6).write(new ByteArrayDevice(data), out, null);
        Path xz = XzTestFiles.temp(dir, "zeros.xz", out.toByteArray());

        assertEquals(3, s.zeroBlocks()); // blocks 0, 2 and the short last one
        assertEquals(5, s.blocks());
        assertDecodersAgree(xz, data);
        assertXzList(xz, 5);
        // blocks 0 and 2 are the same zero encoding: same size in the Index, as xz --robot -lvv reports
        List<XzTestFiles.RobotBlock> rb = XzTestFiles.robotBlocks(xz);
        assertEquals(rb.get(0).totalSize(), rb.get(2).totalSize());
        assertEquals("cu", rb.get(0).flags());
    }

    @Test
    void write_threads123_byteIdentical() throws IOException {
        Random rnd = new Random(XzTestFiles.seed("hydrapi.xz.reproSeed", 42L));
        byte[] data = XzTestFiles.imageLike(rnd, 2 * (1 << 20) + 777, 32 << 10);

        byte[] t1 = XzTestFiles.ourXz(data, 1, BLOCK, 6);
        byte[] t2 = XzTestFiles.ourXz(data, 2, BLOCK, 6);
        byte[] t3 = XzTestFiles.ourXz(data, 3, BLOCK, 6);

        assertArrayEquals(t1, t2, "1 vs 2 threads");
        assertArrayEquals(t1, t3, "1 vs 3 threads");
        Oracles.assertXzTest(XzTestFiles.temp(dir, "repro.xz", t1));
    }

    @Test
    void write_defaultBlockSizeMostlyZeroSource_twoBlocksXzAgrees() throws IOException {
        byte[] data = new byte[30 << 20];
        Random rnd = new Random(XzTestFiles.seed("hydrapi.xz.bigSeed", 3L));
        byte[] noise = XzTestFiles.imageLike(rnd, 1 << 20, 64 << 10);
        System.arraycopy(noise, 0, data, 25 << 20, noise.length);
        data[data.length - 1] = 'Z';
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        XzWriteSummary s = new ParallelXzWriter(2, ParallelXzWriter.DEFAULT_BLOCK_BYTES, 6)
                .write(new ByteArrayDevice(data), out, null);

        Path xz = XzTestFiles.temp(dir, "big.xz", out.toByteArray());
        assertEquals(new XzWriteSummary(data.length, Files.size(xz), 2, 1), s);
        assertDecodersAgree(xz, data);
        assertXzList(xz, 2);
        List<XzTestFiles.RobotBlock> rb = XzTestFiles.robotBlocks(xz);
        assertEquals(24L << 20, rb.get(0).uncompSize());
        assertEquals(6L << 20, rb.get(1).uncompSize());
        String list = Oracles.xzList(xz);
        assertTrue(list.contains("--lzma2=dict=8MiB"), list); // property byte 0x16
    }

    /** Reads may run ahead of writes by at most 2 × threads Blocks (plus the one being read): memory is bounded. */
    @Test
    void write_manyBlocks_boundedInFlight() throws IOException {
        int block = 16 << 10;
        byte[] data = XzTestFiles.imageLike(new Random(12), 40 * block, 4096);
        List<String> events = new ArrayList<>();
        long[] written = {0};
        ByteArrayDevice logging = new ByteArrayDevice(data) {
            @Override
            public void read(long offsetBytes, byte[] buf, int off, int len) throws IOException {
                long readBlocks = offsetBytes / block;
                long doneBlocks = written[0] / block;
                if (readBlocks - doneBlocks > 2 * 2) {
                    events.add("read block " + readBlocks + " with only " + doneBlocks + " written");
                }
                super.read(offsetBytes, buf, off, len);
            }
        };
        new ParallelXzWriter(2, block, 0).write(logging, new ByteArrayOutputStream(), done -> written[0] = done);
        assertEquals(List.of(), events);
        assertEquals(data.length, written[0]);
    }

    @Test
    void write_emptySource_validEmptyStream() throws IOException {
        byte[] xzBytes = XzTestFiles.ourXz(new byte[0], 2, BLOCK, 6);
        Path xz = XzTestFiles.temp(dir, "empty.xz", xzBytes);
        Oracles.assertXzTest(xz);
        assertEquals(0, Oracles.check("bsdcat", xz.toString()).length);
        assertEquals(32, xzBytes.length); // header 12 + empty Index 8 + footer 12
    }

    @Test
    void write_readFailure_surfacesAsIOExceptionAndStopsWorkers() throws InterruptedException {
        byte[] data = XzTestFiles.imageLike(new Random(1), 8 * BLOCK, 64 << 10);
        IOException e = assertThrows(IOException.class, () -> new ParallelXzWriter(2, BLOCK, 1)
                .write(new ByteArrayDevice(data, 5L * BLOCK), new ByteArrayOutputStream(), null));
        assertTrue(e.getMessage().contains("simulated read error"), e.getMessage());
        for (int i = 0; i < 100 && workersAlive(); i++) {
            Thread.sleep(100);
        }
        assertFalse(workersAlive(), "writer threads still running after a failed write");
    }

    private static boolean workersAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("hydrapi-xz-") && !t.getName().contains("verify") && t.isAlive());
    }

    @Test
    void write_failingOutput_surfacesIOException() {
        byte[] data = XzTestFiles.imageLike(new Random(2), 4 * BLOCK, 64 << 10);
        java.io.OutputStream broken = new java.io.OutputStream() {
            private int n;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                n += len;
                if (n > 100_000) {
                    throw new IOException("disk full (simulated)");
                }
            }
        };
        IOException e = assertThrows(IOException.class,
                () -> new ParallelXzWriter(2, BLOCK, 1).write(new ByteArrayDevice(data), broken, null));
        assertEquals("disk full (simulated)", e.getMessage());
    }

    @Test
    void constructor_badArguments_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new ParallelXzWriter(0, BLOCK, 6));
        assertThrows(IllegalArgumentException.class, () -> new ParallelXzWriter(1, 0, 6));
        assertThrows(IllegalArgumentException.class, () -> new ParallelXzWriter(1, BLOCK, 10));
    }
}
