// SPDX-License-Identifier: Apache-2.0
package hydrapi.ext4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.io.FileBlockDevice;
import hydrapi.io.OverlayDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extent trees deeper than one level, built when free space is fragmented into single blocks. */
class Ext4WriterExtentTest {

    private static final Instant T = Instant.parse("2026-07-08T09:10:11Z");

    @Test
    void writeFile_fragmentedFreeSpaceGivesDepthTwoTree(@TempDir Path tmp) throws IOException {
        Path img = Ext4Fixtures.copy("1k", tmp);
        OverlayDevice ov = new OverlayDevice(FileBlockDevice.openReadOnly(img));
        Ext4Writer w = Ext4Writer.open(ov);
        w.mkdirs("/frag", 0755, 0, 0, T);
        // 1 KiB blocks: 84 extents per tree block, 4 in the inode; 600 one-block holes need 8 leaves → depth 2.
        for (int i = 0; i < 1200; i++) {
            w.writeFile("/frag/f" + i, new byte[1024], 0644, 0, 0, T);
        }
        for (int i = 0; i < 1200; i += 2) {
            w.unlink("/frag/f" + i, T);
        }
        byte[] data = new byte[600 * 1024 + 77];
        new Random(5).nextBytes(data);
        w.writeFile("/frag/big", data, 0640, 7, 8, T);
        // The directory itself grows through the holes too; replacing the big file frees and rebuilds the tree.
        byte[] again = new byte[580 * 1024];
        new Random(6).nextBytes(again);
        w.writeFile("/frag/big2", again, 0644, 0, 0, T);
        w.flush();
        assertEquals(List.of(), Ext4Volume.open(ov).check());
        Ext4WriterTest.writeBack(ov, img);
        Oracles.assertE2fsckClean(img, 0);
        Oracles.assertE2fsckFixesNothing(img, 0, Files.size(img));
        assertArrayEquals(data, Oracles.debugfsCat(img, 0, "/frag/big"));
        assertArrayEquals(again, Oracles.debugfsCat(img, 0, "/frag/big2"));
        String ex = new String(Oracles.check("debugfs", "-R", "ex /frag/big", img.toString()), StandardCharsets.UTF_8);
        assertTrue(ex.contains(" 2/ 2 "), "depth-2 tree expected:\n" + ex.substring(0, Math.min(600, ex.length())));
    }
}
