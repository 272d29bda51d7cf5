// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.io.FileBlockDevice;
import hydrapi.io.LittleEndian;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** check() must find what fsck.fat -n finds, on targeted corruptions of the FAT16 fixture. */
class FatCheckTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({
        "fatCopyDiffers, differs from FAT copy 1",
        "sizeTooSmall, size 1 bytes but cluster chain",
        "crossLinked, cross-linked",
        "lostCluster, lost",
        "chainIntoFree, free cluster",
        "duplicateShortName, duplicate short name",
        "loop, (loop)",
        "outOfRange, outside 2..",
    })
    void check_reportsWhatFsckFatReports(String corruption, String expected) throws IOException {
        Path img = FatFixtures.copy("fat16.img", tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            BootSector boot = BootSector.parse(dev.read(0, 512), dev.sizeBytes());
            long root = boot.rootDirOffsetBytes();
            byte[] dir = dev.read(root, 512);
            int cmdline = slotOf(dir, "CMDLINE TXT");
            int config = slotOf(dir, "CONFIG  TXT");
            int configCluster = LittleEndian.u16(dir, config + DirectoryEntry.DIR_FST_CLUS_LO);
            switch (corruption) {
                case "fatCopyDiffers" -> dev.write(boot.fatOffsetBytes(1) + 2 * 3000, new byte[] {1, 0});
                case "sizeTooSmall" -> {
                    LittleEndian.put32(dir, config + DirectoryEntry.DIR_FILE_SIZE, 1);
                    dev.write(root, dir);
                }
                case "crossLinked" -> {
                    System.arraycopy(dir, config + 0x1A, dir, cmdline + 0x1A, 2);
                    System.arraycopy(dir, config + 0x1C, dir, cmdline + 0x1C, 4);
                    dev.write(root, dir);
                }
                case "lostCluster" -> writeFatEntry(dev, boot, 6000, 0xFFFF);
                case "chainIntoFree" -> writeFatEntry(dev, boot, configCluster, 7000);
                case "loop" -> writeFatEntry(dev, boot, configCluster + 2, configCluster);
                case "outOfRange" -> writeFatEntry(dev, boot, configCluster + 2, 0xFFF0);
                case "duplicateShortName" -> {
                    System.arraycopy(dir, config, dir, cmdline, 11);
                    dev.write(root, dir);
                }
                default -> throw new AssertionError(corruption);
            }
            List<String> problems = FatVolume.open(dev).check();
            assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), problems.toString());
            assertTrue(problems.stream().allMatch(p -> !p.contains("\n")), problems.toString());
        }
        assertTrue(fsckComplains(img), "fsck.fat -n should flag " + corruption);
    }

    @ParameterizedTest
    @CsvSource({"fat32.img", "fat16.img"})
    void check_cleanOnFixtures(String fixture) throws IOException {
        Path img = FatFixtures.copy(fixture, tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(img)) {
            assertEquals(List.of(), FatVolume.open(dev).check());
        }
    }

    @ParameterizedTest
    @CsvSource({"1, FSInfo free count", "2, FSInfo next free"})
    void check_reportsFsInfoMismatch(int field, String expected) throws IOException {
        Path img = FatFixtures.copy("fat32.img", tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadWrite(img)) {
            byte[] fsInfo = dev.read(512, 512);
            if (field == 1) {
                LittleEndian.put32(fsInfo, FsInfo.FSI_FREE_COUNT, LittleEndian.u32(fsInfo, FsInfo.FSI_FREE_COUNT) - 5);
            } else {
                LittleEndian.put32(fsInfo, FsInfo.FSI_NXT_FREE, 1);
            }
            dev.write(512, fsInfo);
            List<String> problems = FatVolume.open(dev).check();
            assertTrue(problems.stream().anyMatch(p -> p.contains(expected)), problems.toString());
        }
        if (field == 1) {
            assertTrue(fsckComplains(img), "fsck.fat -n should flag the free count");
        }
    }

    private static void writeFatEntry(FileBlockDevice dev, BootSector boot, int cluster, int value) throws IOException {
        byte[] v = new byte[2];
        LittleEndian.put16(v, 0, value);
        for (int copy = 0; copy < boot.numFats; copy++) {
            dev.write(boot.fatOffsetBytes(copy) + 2L * cluster, v);
        }
    }

    private static int slotOf(byte[] dir, String raw11) {
        for (int off = 0; off < dir.length; off += 32) {
            if (new String(dir, off, 11, java.nio.charset.StandardCharsets.US_ASCII).equals(raw11)) {
                return off;
            }
        }
        throw new AssertionError(raw11);
    }

    private static boolean fsckComplains(Path img) throws IOException {
        try {
            Oracles.assertFsckFatClean(img, 0, Files.size(img));
            return false;
        } catch (AssertionError e) {
            return true;
        }
    }
}
