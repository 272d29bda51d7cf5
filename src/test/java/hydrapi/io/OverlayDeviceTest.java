// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayDeviceTest {

    @TempDir
    Path tmp;

    private Path baseFile(int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path f = tmp.resolve("base.bin");
        Files.write(f, b);
        return f;
    }

    @Test
    void write_neverTouchesBase_andReadsBackThroughOverlay() throws Exception {
        Path f = baseFile(3 * 4096 + 100, 1);
        byte[] before = Files.readAllBytes(f);
        try (OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(f))) {
            byte[] patch = "hello across a page boundary".getBytes();
            ov.write(4096 - 5, patch);
            assertArrayEquals(patch, ov.read(4096 - 5, patch.length));
            // Bytes around the patch still come from the base.
            assertArrayEquals(java.util.Arrays.copyOfRange(before, 0, 4091), ov.read(0, 4091));
            // The tail page is shorter than a page.
            ov.write(3 * 4096 + 99, new byte[] {(byte) ~before[3 * 4096 + 99]});
            assertEquals((byte) ~before[3 * 4096 + 99], ov.read(3 * 4096 + 99, 1)[0]);
        }
        assertArrayEquals(before, Files.readAllBytes(f));
    }

    @Test
    void changedRanges_areExact_andIgnoreRewrittenSameBytes() throws Exception {
        Path f = baseFile(5 * 4096, 2);
        byte[] base = Files.readAllBytes(f);
        try (OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(f))) {
            ov.write(10, new byte[] {(byte) ~base[10], (byte) ~base[11]});
            // Same bytes as the base: a dirty page but no change.
            ov.write(2 * 4096, java.util.Arrays.copyOfRange(base, 2 * 4096, 2 * 4096 + 50));
            // A change running over a page boundary merges into one range.
            byte[] run = new byte[20];
            for (int i = 0; i < run.length; i++) {
                run[i] = (byte) ~base[4096 * 4 - 10 + i];
            }
            ov.write(4096 * 4 - 10, run);
            assertEquals(List.of(new ByteRange(10, 12), new ByteRange(4096 * 4 - 10, 4096 * 4 + 10)),
                    ov.changedRanges());
            assertTrue(ov.touches(0, 11));
            assertTrue(ov.touches(2 * 4096, 2 * 4096 + 1));
            assertFalse(ov.touches(4096, 2 * 4096));
        }
    }

    @Test
    void rollback_restoresEveryPageTouchedSinceCheckpoint() throws Exception {
        Path f = baseFile(4 * 4096, 3);
        try (OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(f))) {
            ov.write(100, new byte[] {1, 2, 3});
            byte[] snapshot = ov.read(0, 4 * 4096);
            ov.checkpoint();
            ov.write(100, new byte[] {9, 9, 9});
            ov.write(3 * 4096, new byte[] {7});
            ov.rollback();
            assertArrayEquals(snapshot, ov.read(0, 4 * 4096));
            assertEquals(1, ov.pageCount());
        }
    }

    /**
     * With a memory budget of three pages, the rest held in a scratch file: random writes, rollbacks, changed ranges
     * and a write-back agree with a plain byte array, and the scratch file is gone after close.
     */
    @Test
    void spill_behavesAsInMemory(@TempDir Path spillDir) throws Exception {
        long seed = Long.getLong("hydrapi.seed", new Random().nextLong());
        System.out.println("OverlayDeviceTest spill seed " + seed + " (replay with -Dhydrapi.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Path f = baseFile(40 * 4096 + 123, 6);
        byte[] base = Files.readAllBytes(f);
        byte[] model = base.clone();
        try (OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(f), 3 * 4096, spillDir);
             OverlayDevice plain = new OverlayDevice(FileBlockDevice.openReadOnly(f))) {
            for (int step = 0; step < 400; step++) {
                boolean undoIt = rnd.nextInt(5) == 0;
                byte[] before = model.clone();
                if (undoIt) {
                    ov.checkpoint();
                }
                for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                    int off = rnd.nextInt(model.length);
                    byte[] b = new byte[1 + rnd.nextInt(Math.min(3 * 4096, model.length - off))];
                    rnd.nextBytes(b);
                    ov.write(off, b);
                    System.arraycopy(b, 0, model, off, b.length);
                    if (!undoIt) {
                        plain.write(off, b);
                    }
                }
                if (undoIt) {
                    ov.rollback();
                    model = before;
                } else {
                    ov.commit();
                }
                int off = rnd.nextInt(model.length);
                int len = rnd.nextInt(model.length - off + 1);
                assertArrayEquals(java.util.Arrays.copyOfRange(model, off, off + len), ov.read(off, len),
                        "step " + step + " (seed " + seed + ")");
            }
            assertTrue(ov.spilledPages() > 10, "most pages in the scratch file: " + ov.spilledPages());
            assertEquals(plain.changedRanges(), ov.changedRanges());
            Path copy = tmp.resolve("copy.bin");
            Files.write(copy, base);
            try (OverlayDevice target = new OverlayDevice(FileBlockDevice.openReadWrite(copy))) {
                OverlayDevice inner = new OverlayDevice(target, 2 * 4096, spillDir);
                inner.write(0, ov.read(0, model.length));
                inner.writeBack();
                assertEquals(0, inner.pageCount());
                assertArrayEquals(model, target.read(0, model.length));
            }
        }
        try (var left = Files.list(spillDir)) {
            assertEquals(0, left.count(), "no scratch file left");
        }
    }

    @Test
    void read_outsideDevice_isEof() throws Exception {
        Path f = baseFile(4096, 4);
        try (OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(f))) {
            assertThrows(EOFException.class, () -> ov.read(4000, 200));
            assertThrows(EOFException.class, () -> ov.write(-1, new byte[1]));
        }
    }

    @Test
    void slice_mapsOffsetsAndRefusesOutside() throws Exception {
        Path f = baseFile(8192, 5);
        byte[] base = Files.readAllBytes(f);
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(f)) {
            SliceDevice s = new SliceDevice(dev, 1000, 2000);
            assertArrayEquals(java.util.Arrays.copyOfRange(base, 1500, 1510), s.read(500, 10));
            assertThrows(EOFException.class, () -> s.read(1995, 10));
        }
    }
}
