// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagerManifestTest {

    @TempDir
    Path dir;

    private static String sha256sum(Path file) throws IOException {
        return new String(Oracles.check("sha256sum", file.toString()), StandardCharsets.US_ASCII).split(" ")[0];
    }

    @Test
    void toJson_parsesWithPythonAndSizesAndHashesMatchTheFiles() throws IOException {
        Path raw = dir.resolve("hydra.img");
        byte[] bytes = new byte[3 << 20];
        new Random(1).nextBytes(bytes);
        java.util.Arrays.fill(bytes, 1 << 20, 2 << 20, (byte) 0);
        Files.write(raw, bytes);
        Oracles.check("xz", "-k", "-T1", "-1", raw.toString());
        Path xz = dir.resolve("hydra.img.xz");

        // The writer knows the uncompressed size and hash; here they come from our own hasher ...
        ImagerManifest m = ImagerManifest.describe("Hydra \"build\" server", "Raspberry Pi OS Lite + Hydra",
                "https://example.invalid/hydra.img.xz", null, LocalDate.of(2026, 1, 2),
                ImagerManifest.DEVICES_ARM64, xz, Files.size(raw), Sha256Sums.hash(raw, null));
        Path out = dir.resolve("hydra.rpi-imager-manifest");
        m.write(out);

        // ... and are judged against sha256sum, xz -dc and stat, read back by python's json module.
        String py = "import json,sys\n"
                + "o=json.load(open(sys.argv[1]))['os_list'][0]\n"
                + "print(o['extract_size'],o['extract_sha256'],o['image_download_size'],o['image_download_sha256'],"
                + "o['init_format'],o['release_date'],','.join(o['devices']),o['name'],'icon' in o)\n";
        String got = new String(Oracles.check("python3", "-c", py, out.toString()), StandardCharsets.UTF_8).strip();
        Path decompressed = dir.resolve("check.img");
        Oracles.xzDecompress(xz, decompressed);
        String size = new String(Oracles.check("stat", "-c", "%s", decompressed.toString())).strip();
        String xzSize = new String(Oracles.check("stat", "-c", "%s", xz.toString())).strip();
        assertEquals(size + " " + sha256sum(decompressed) + " " + xzSize + " " + sha256sum(xz)
                + " none 2026-01-02 pi5-64bit,pi4-64bit,pi3-64bit Hydra \"build\" server False", got);
        Oracles.check("jq", "-e", ".os_list | length == 1", out.toString());
    }

    @Test
    void toJson_isStableAndIncludesIconWhenGiven() {
        String a = sample("https://example.invalid/icon.png").toJson();
        assertEquals(a, sample("https://example.invalid/icon.png").toJson());
        assertTrue(a.contains("\"icon\": \"https://example.invalid/icon.png\""), a);
        assertTrue(a.contains("\"init_format\": \"none\""), a);
    }

    @Test
    void new_rejectsUppercaseOrShortHashes() {
        assertThrows(IllegalArgumentException.class, () -> new ImagerManifest("n", "d", "u", null,
                LocalDate.EPOCH, 1, "AB".repeat(32), 1, "ab".repeat(32), ImagerManifest.DEVICES_ARMHF));
        assertThrows(IllegalArgumentException.class, () -> new ImagerManifest("n", "d", "u", null,
                LocalDate.EPOCH, 1, "ab".repeat(32), 1, "ab", ImagerManifest.DEVICES_ARMHF));
    }

    private static ImagerManifest sample(String icon) {
        return new ImagerManifest("n", "d", "https://example.invalid/x.img.xz", icon, LocalDate.of(2026, 1, 2),
                10, "ab".repeat(32), 5, "cd".repeat(32), ImagerManifest.DEVICES_ARM64);
    }
}
