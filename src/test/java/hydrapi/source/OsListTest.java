// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;

import org.junit.jupiter.api.Test;

class OsListTest {

    private static String sample() throws IOException {
        try (InputStream in = OsListTest.class.getResourceAsStream("/hydrapi/source/os_list_sample.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void latestLite_arm64SkipsDesktopLegacyAndOlderReleases() throws IOException {
        OsList.Image i = OsList.parse(sample(), "sample").latestLite(OsList.Arch.ARM64, "sample");
        assertEquals("Raspberry Pi OS Lite (64-bit)", i.name());
        assertEquals(URI.create("https://downloads.raspberrypi.com/raspios_lite_arm64/images/raspios_lite_arm64-2025-12-04/"
                + "2025-12-04-raspios-trixie-arm64-lite.img.xz"), i.url());
        assertEquals("3".repeat(64), i.extractSha256());
        assertEquals("4".repeat(64), i.imageDownloadSha256());
        assertEquals(LocalDate.of(2025, 12, 4), i.releaseDate());
        assertEquals(2919235584L, i.extractSize());
        assertEquals(519042636L, i.imageDownloadSize());
        assertEquals("2025-12-04-raspios-trixie-arm64-lite.img.xz", i.fileName());
        assertTrue(i.signatureUrl().toString().endsWith("-lite.img.xz.sig"));
        assertTrue(i.sha256Url().toString().endsWith("-lite.img.xz.sha256"));
    }

    @Test
    void latestLite_armhfWithoutDownloadSha() throws IOException {
        OsList.Image i = OsList.parse(sample(), "sample").latestLite(OsList.Arch.ARMHF, "sample");
        assertEquals("5".repeat(64), i.extractSha256());
        assertNull(i.imageDownloadSha256());
    }

    @Test
    void parse_flattensNestedSubitems() throws IOException {
        assertEquals(5, OsList.parse(sample(), "sample").images().size());
    }

    @Test
    void latestLite_missingArchIsInvalidInput() throws IOException {
        String noArmhf = sample().replace("raspios_lite_armhf", "raspios_full_armhf");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> OsList.parse(noArmhf, "list.json").latestLite(OsList.Arch.ARMHF, "list.json"));
        assertTrue(e.getMessage().contains(HydrapiException.mention(BaseSource.INPUT) + " URL"), e.getMessage());
    }

    @Test
    void parse_rejectsBrokenFields() throws IOException {
        String s = sample();
        for (String bad : new String[] {s.replace("\"release_date\": \"2025-12-04\"", "\"release_date\": \"04/12/2025\""),
                s.replace("\"3333333333333333333333333333333333333333333333333333333333333333\"", "\"33\""),
                s.replace("\"extract_size\": 2919235584", "\"extract_size\": \"big\""),
                s.replace("\"os_list\":", "\"oslist\":"),
                "{\"os_list\": {}}"}) {
            assertThrows(InvalidInputException.class, () -> OsList.parse(bad, "list.json"));
        }
    }
}
