// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import com.code_intelligence.jazzer.junit.FuzzTest;

import hydrapi.io.OverlayDevice;
import hydrapi.testkit.Fuzz;
import hydrapi.testkit.SparseImage;

import java.time.Instant;

/**
 * Coverage-guided fuzzing of the ext4 writer on a hostile root partition, as a build edits the base: allocation from
 * the bitmaps, extent trees grown, entries added to linear and htree directories (splits included), a file replaced,
 * attributes changed, an entry removed, then one flush of all metadata and the consistency check. The input is a
 * {@link SparseImage}; seeds as for {@link Ext4VolumeFuzzTest}.
 */
class Ext4WriterFuzzTest {

    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);

    @FuzzTest(maxDuration = "10s")
    void fuzz(byte[] input) throws Exception {
        SparseImage dev = SparseImage.decode(input);
        Fuzz.onlyOurs(() -> {
            Ext4Writer w = Ext4Writer.open(new OverlayDevice(dev));
            w.mkdirs("/etc/hydra", 0755, 0, 0, NOW);
            w.writeFile("/etc/hydra/hydra.env", new byte[5000], 0644, 0, 0, NOW);
            w.writeFile("/etc/passwd", "root:x:0:0::/root:/bin/sh\n".getBytes(), 0644, 0, 0, NOW);
            for (int i = 0; i < 24; i++) {
                w.writeFile("/etc/d/new-entry-with-a-long-name-" + i, new byte[i], 0600, 1000, 1000, NOW);
            }
            w.symlink("/etc/hydra/link", "/very/long/target/path/that/does/not/exist/but/is/longer/than/sixty/bytes",
                    0, 0, NOW);
            w.setAttributes("/etc/d", 0700, 0, 0, NOW);
            w.unlink("/etc/d/entry-with-a-longish-name-01", NOW);
            w.flush();
            w.volume().check();
        });
    }
}
