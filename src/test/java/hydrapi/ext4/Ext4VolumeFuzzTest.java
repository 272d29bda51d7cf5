// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.testkit.Fuzz;
import hydrapi.testkit.SparseImage;

import java.io.IOException;
import java.io.InputStream;

/**
 * Coverage-guided fuzzing of the ext4 reader on a hostile root partition: superblock, group descriptors, inodes,
 * extent trees, linear and htree directories, symlinks, the journal check and the consistency check. The input is a
 * {@link SparseImage}; seeds are small ext4 volumes made by mke2fs -d and e2fsck -fyD (testdata/make-fuzz-seeds.sh).
 */
class Ext4VolumeFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        SparseImage dev = SparseImage.decode(input);
        Fuzz.onlyOurs(() -> {
            try (Ext4Volume v = Ext4Volume.open(dev)) {
                v.label();
                v.uuid();
                v.journalNeedsRecovery();
                walk(v, "/", 0);
                // Lookups by name go through the htree when the directory has one.
                v.stat("/etc/d/entry-with-a-longish-name-17");
                v.stat("/etc/os-release");
                v.check();
            }
        });
    }

    private static void walk(Ext4Volume v, String dir, int depth) throws IOException {
        int n = 0;
        for (Ext4Entry e : v.list(dir)) {
            if (++n > 64 || e.name().equals(".") || e.name().equals("..")) {
                continue;
            }
            String path = (dir.equals("/") ? "" : dir) + "/" + e.name();
            v.stat(path);
            if (e.isDirectory()) {
                if (depth < 3) {
                    walk(v, path, depth + 1);
                }
            } else if (e.isSymlink()) {
                v.readLink(path);
            } else if (e.isRegularFile()) {
                try (InputStream in = v.openFile(path)) {
                    in.readNBytes(1 << 16);
                }
            }
        }
    }
}
