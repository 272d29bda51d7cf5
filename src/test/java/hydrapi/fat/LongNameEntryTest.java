// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.io.FileBlockDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LongNameEntryTest {

    @TempDir
    Path tmp;

    /** Every LFN run mcopy wrote into the fixture's /overlays carries mcopy's checksum; ours must agree. */
    @Test
    void checksum_matchesEntriesWrittenByMtools() throws IOException {
        Path img = FatFixtures.copy("fat32.img", tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(img)) {
            FatVolume v = FatVolume.open(dev);
            long cluster = -1;
            BootSector boot = BootSector.parse(dev.read(0, 512), dev.sizeBytes());
            FatTable fat = new FatTable(boot.type, dev.read(boot.fatOffsetBytes(0),
                    FatTable.loadedBytes(boot.type, boot.clusterCount, boot.bytesPerSector)), boot.clusterCount, 512);
            for (Directory.Record r : Directory.root(dev, boot, fat).records()) {
                if (r.shortName().equals("OVERLAYS")) {
                    cluster = r.cluster();
                }
            }
            byte[] d = Directory.load(dev, boot, fat, cluster, "/overlays").data();
            int checked = 0;
            for (int off = 0; off < d.length && d[off] != 0; off += 32) {
                if (DirectoryEntry.isLongName(d, off) || (d[off] & 0xFF) == 0xE5) {
                    continue;
                }
                if (off >= 32 && DirectoryEntry.isLongName(d, off - 32)) {
                    assertEquals(LongNameEntry.storedChecksum(d, off - 32),
                            LongNameEntry.checksum(Arrays.copyOfRange(d, off, off + 11)));
                    checked++;
                }
            }
            assertEquals(50, checked, "ov01.dtbo..ov30.dtbo (4-letter extension) and 20 long names");
            assertEquals(51, v.list("/overlays").size());
        }
    }

    @Test
    void checksum_fatgen103Rotation() {
        // Hand-computed: "A          " → 0x41 rotated and summed with ten spaces.
        int sum = 0;
        byte[] raw = "A          ".getBytes(StandardCharsets.US_ASCII);
        for (byte b : raw) {
            sum = ((sum >>> 1) | ((sum & 1) << 7)) + (b & 0xFF) & 0xFF;
        }
        assertEquals(sum, LongNameEntry.checksum(raw));
        assertEquals(0x00, LongNameEntry.checksum(new byte[11]));
    }

    @Test
    void encode_terminatesAndPads() {
        byte[] b = new byte[64];
        LongNameEntry.encode(b, 0, "abcdefghijklmn", 0x5A);
        assertEquals(0x42, b[0] & 0xFF);
        assertEquals(0x01, b[32] & 0xFF);
        assertEquals(0x0F, b[11]);
        assertEquals(0x5A, b[13] & 0xFF);
        StringBuilder sb = new StringBuilder();
        assertTrue(LongNameEntry.appendChars(b, 32, sb));
        assertEquals(false, LongNameEntry.appendChars(b, 0, sb));
        assertEquals("abcdefghijklmn", sb.toString());
        assertEquals(0xFF, b[5] & 0xFF, "0xFFFF padding after the terminator");
    }
}
