// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.BlockDevice;
import hydrapi.io.FileBlockDevice;
import hydrapi.io.LittleEndian;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootSectorTest {

    @TempDir
    Path tmp;

    private byte[] fixtureSector(String name) throws IOException {
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(FatFixtures.built().resolve(name))) {
            return dev.read(0, 512);
        }
    }

    private static long size32() {
        return 40L << 20;
    }

    @Test
    void parse_fixtures() throws IOException {
        BootSector b32 = BootSector.parse(fixtureSector("fat32.img"), size32());
        assertEquals(FatType.FAT32, b32.type);
        assertEquals(512, b32.clusterBytes());
        assertEquals("bootfs", b32.bpbLabel);
        assertEquals(1, b32.fsInfoSector);
        BootSector b16 = BootSector.parse(fixtureSector("fat16.img"), 16L << 20);
        assertEquals(FatType.FAT16, b16.type);
        assertEquals(512, b16.rootEntryCount);
    }

    @Test
    void parse_rejectsZeroesAndRandomBytes() {
        assertThrows(CorruptImageException.class, () -> BootSector.parse(new byte[512], size32()));
        Random r = new Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] s = new byte[512];
            r.nextBytes(s);
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> BootSector.parse(s, size32()));
            assertTrue(e.getMessage().contains("not a FAT boot sector"));
        }
    }

    @Test
    void parse_rejectsExfatAsUnsupported() throws IOException {
        byte[] s = fixtureSector("fat32.img");
        System.arraycopy("EXFAT   ".getBytes(StandardCharsets.US_ASCII), 0, s, 3, 8);
        assertThrows(UnsupportedImageException.class, () -> BootSector.parse(s, size32()));
    }

    @Test
    void parse_rejectsOddSectorSizes() throws IOException {
        for (int bps : new int[] {256, 8192, 0, 513}) {
            byte[] s = fixtureSector("fat32.img");
            LittleEndian.put16(s, BootSector.BPB_BYTS_PER_SEC, bps);
            assertThrows(UnsupportedImageException.class, () -> BootSector.parse(s, size32()), "bps " + bps);
        }
    }

    @Test
    void parse_rejectsInconsistentBpb() throws IOException {
        byte[] s = fixtureSector("fat32.img");
        assertThrows(CorruptImageException.class, () -> BootSector.parse(s, size32() / 2), "larger than partition");
        byte[] c = fixtureSector("fat32.img");
        c[BootSector.BPB_SEC_PER_CLUS] = 3;
        assertThrows(CorruptImageException.class, () -> BootSector.parse(c, size32()));
        byte[] f = fixtureSector("fat32.img");
        LittleEndian.put32(f, BootSector.BPB_FAT_SZ32, 1);
        assertThrows(CorruptImageException.class, () -> BootSector.parse(f, size32()), "FAT too small");
        byte[] root = fixtureSector("fat32.img");
        LittleEndian.put32(root, BootSector.BPB_ROOT_CLUS, 1);
        assertThrows(CorruptImageException.class, () -> BootSector.parse(root, size32()));
        byte[] n = fixtureSector("fat16.img");
        n[BootSector.BPB_NUM_FATS] = 0;
        assertThrows(CorruptImageException.class, () -> BootSector.parse(n, 16L << 20));
    }

    @Test
    void open_tinyOrEmptyDevice() throws IOException {
        Path p = tmp.resolve("tiny");
        Files.write(p, new byte[100]);
        try (BlockDevice dev = FileBlockDevice.openReadOnly(p)) {
            assertThrows(CorruptImageException.class, () -> FatVolume.open(dev));
        }
    }
}
