// SPDX-License-Identifier: Apache-2.0
package hydrapi.fat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;
import hydrapi.io.FileBlockDevice;
import hydrapi.testkit.Oracles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FatReadTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void open_readsBpbAndLabel(String fixture) throws IOException {
        Path img = FatFixtures.copy(fixture, tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(img)) {
            FatVolume v = FatVolume.open(dev);
            assertEquals(fixture.equals("fat32.img") ? FatType.FAT32 : FatType.FAT16, v.type());
            assertEquals("bootfs", v.label());
            assertEquals(fixture.equals("fat32.img") ? 512 : 2048, v.clusterBytes());
            assertEquals(mdirBytesFree(img), v.freeBytes());
            assertEquals(List.of(), v.check());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void listAndReadFile_matchMtools(String fixture) throws IOException {
        Path img = FatFixtures.copy(fixture, tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(img)) {
            FatVolume v = FatVolume.open(dev);
            List<FatEntry> root = v.list("/");
            assertEquals(List.of("cmdline.txt", "config.txt", "overlays"), root.stream().map(FatEntry::name).toList());
            assertEquals(List.of("CMDLINE.TXT", "CONFIG.TXT", "OVERLAYS"),
                    root.stream().map(FatEntry::shortName).toList());
            assertArrayEquals(FatFixtures.cmdline(), v.readFile("/cmdline.txt"));
            assertArrayEquals(Oracles.mtype(img, 0, "/config.txt"), v.readFile("/CONFIG.TXT"));
            assertEquals(Instant.parse("2024-03-15T12:34:56Z"), v.stat("/config.txt").orElseThrow().modified());

            List<FatEntry> overlays = v.list("/overlays");
            assertEquals(51, overlays.size());
            String mdir = Oracles.mdir(img, 0, "/overlays");
            for (FatEntry e : overlays) {
                byte[] bytes = v.readFile("/overlays/" + e.name());
                assertArrayEquals(Oracles.mtype(img, 0, "/overlays/" + e.name()), bytes, e.name());
                assertEquals(e.sizeBytes(), bytes.length);
                assertTrue(mdirHas(mdir, e), "mdir lists " + e + ":\n" + mdir);
            }
            assertEquals("a-long-overlay-name-number-07.dtbo",
                    v.stat("/OVERLAYS/A-LONG-overlay-name-number-07.DTBO").orElseThrow().name());
            assertEquals("A-LONG~7.DTB", v.stat("/overlays/a-long~7.dtb").orElseThrow().shortName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fat32.img", "fat16.img"})
    void statAndRead_missingOrWrongKind(String fixture) throws IOException {
        Path img = FatFixtures.copy(fixture, tmp);
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(img)) {
            FatVolume v = FatVolume.open(dev);
            assertFalse(v.stat("/nope.txt").isPresent());
            assertFalse(v.stat("/cmdline.txt/x").isPresent());
            assertTrue(v.stat("/").orElseThrow().directory());
            assertThrows(InvalidInputException.class, () -> v.readFile("/overlays"));
            assertThrows(InvalidInputException.class, () -> v.readFile("/nope"));
            assertThrows(InvalidInputException.class, () -> v.list("/cmdline.txt"));
            assertThrows(InvalidInputException.class, () -> v.list("relative"));
        }
    }

    static long mdirBytesFree(Path img) throws IOException {
        Matcher m = Pattern.compile("([0-9 ]+) bytes free").matcher(Oracles.mdir(img, 0, "/"));
        assertTrue(m.find());
        return Long.parseLong(m.group(1).replace(" ", ""));
    }

    /** mdir -a prints "BASE EXT size date time [long name]" per entry. */
    static boolean mdirHas(String mdir, FatEntry e) {
        List<String> lines = new ArrayList<>(List.of(mdir.split("\n")));
        String sn = e.shortName();
        int dot = sn.indexOf('.');
        String base = dot < 0 ? sn : sn.substring(0, dot);
        String ext = dot < 0 ? "" : sn.substring(dot + 1);
        String prefix = String.format("%-8s %-3s", base, ext);
        for (String l : lines) {
            if (l.startsWith(prefix)) {
                boolean isLong = !e.name().equalsIgnoreCase(sn);
                return !isLong || l.endsWith(" " + e.name());
            }
        }
        return false;
    }
}
