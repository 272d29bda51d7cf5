// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/**
 * Benchmark main (not a test): writing SIZE_MIB into an ext4 image through {@link Ext4Writer} against copying the
 * same bytes through a bare {@link OverlayDevice}; prints both times and their ratio. Run by bench/ext4-write-bench.sh.
 * Usage: Ext4WriteBench EXT4_IMAGE SIZE_MIB ROUNDS
 */
public final class Ext4WriteBench {

    private Ext4WriteBench() {
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        int mib = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        byte[] data = new byte[mib << 20];
        new Random(1).nextBytes(data);
        long bestCopy = Long.MAX_VALUE;
        long bestExt4 = Long.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            try (OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(image))) {
                long t0 = System.nanoTime();
                ov.write(1 << 20, data);
                bestCopy = Math.min(bestCopy, System.nanoTime() - t0);
            }
            try (OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(image))) {
                long t0 = System.nanoTime();
                Ext4Writer w = Ext4Writer.open(ov);
                w.writeFile("/bench-" + r + ".bin", data, 0644, 0, 0, Instant.ofEpochSecond(1700000000));
                w.flush();
                bestExt4 = Math.min(bestExt4, System.nanoTime() - t0);
            }
        }
        System.out.printf("overlay copy of %d MiB: %.1f ms (best of %d)%n", mib, bestCopy / 1e6, rounds);
        System.out.printf("ext4 writeFile of %d MiB + flush: %.1f ms (best of %d)%n", mib, bestExt4 / 1e6, rounds);
        System.out.printf("ratio ext4/copy: %.2f (goal < 2)%n", (double) bestExt4 / bestCopy);
    }
}
