// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.testkit.Fuzz;
import hydrapi.testkit.SparseImage;

import java.io.IOException;
import java.time.Instant;

/**
 * Coverage-guided fuzzing of the FAT reader and writer (boot sector, FSInfo, FAT, cluster chains, directories with
 * long names) on a hostile partition: open, walk, read, check, then write a file and a directory and flush, as a
 * build does to the boot partition. The input is a {@link SparseImage}; seeds are FAT12/16/32 volumes made by
 * mkfs.vfat and mcopy (testdata/make-fuzz-seeds.sh).
 */
class FatVolumeFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        SparseImage dev = SparseImage.decode(input);
        Fuzz.onlyOurs(() -> {
            FatVolume v = FatVolume.open(dev);
            v.label();
            v.freeBytes();
            v.clusterBytes();
            walk(v, "/", 0);
            v.check();
            if (v.type() != FatType.FAT12) {
                v.writeFile("/overlays/a long name.dtbo", new byte[1500], Instant.EPOCH);
                v.writeFile("/cmdline.txt", "console=tty1 root=/dev/mmcblk0p2\n".getBytes(), Instant.EPOCH);
                v.mkdirs("/new/dir", Instant.EPOCH);
                v.flush();
                v.check();
            }
        });
    }

    /** Bounded, so a directory loop the reader does not catch shows as a timeout of its own. */
    private static void walk(FatVolume v, String dir, int depth) throws IOException {
        int n = 0;
        for (FatEntry e : v.list(dir)) {
            if (++n > 64) {
                return;
            }
            String path = (dir.equals("/") ? "" : dir) + "/" + e.name();
            v.stat(path);
            if (e.directory()) {
                if (depth < 3) {
                    walk(v, path, depth + 1);
                }
            } else {
                v.readFile(path);
            }
        }
    }
}
