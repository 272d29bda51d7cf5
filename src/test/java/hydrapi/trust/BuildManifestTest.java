// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;
import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildManifestTest {

    @TempDir
    Path dir;

    private static final BuildManifest.Base BASE = new BuildManifest.Base("2025-10-01-raspios-trixie-arm64-lite.img.xz",
            "https://downloads.example.invalid/x.img.xz", "ab".repeat(32), BuildManifest.SignatureStatus.VERIFIED,
            OpenPgpVerifier.RASPBERRY_PI_FINGERPRINT);

    private List<BuildManifest.Entry> entriesFromRealFiles() throws IOException {
        List<BuildManifest.Entry> out = new ArrayList<>();
        String[] names = {"/etc/hydra/hydra.conf", "/boot/firmware/config.txt", "/etc/ssh/sshd_config.d/hydra.conf",
                "/usr/local/bin/hydrapi-firstboot", "/etc/Z", "/etc/a", "/etc/é"};
        for (int i = 0; i < names.length; i++) {
            Path f = dir.resolve("f" + i);
            Files.writeString(f, "content of " + names[i] + "\n");
            out.add(new BuildManifest.Entry(names[i], BuildManifest.Kind.FILE, Sha256Sums.hash(f, null),
                    i == 3 ? 0755 : 0644, i == 0 ? 990 : 0, i == 0 ? 990 : 0));
        }
        out.add(new BuildManifest.Entry("/etc/hydra", BuildManifest.Kind.DIRECTORY, null, 02775, 990, 990));
        return out;
    }

    @Test
    void toJson_isSortedDeterministicAndMatchesSha256sum() throws IOException {
        List<BuildManifest.Entry> entries = entriesFromRealFiles();
        String a = BuildManifest.of("0.1.0", BASE, "cloud-init", "hydra@abc123", 1767323045L, entries).toJson();
        List<BuildManifest.Entry> shuffled = new ArrayList<>(entries);
        Collections.shuffle(shuffled, new Random(3));
        assertEquals(a, BuildManifest.of("0.1.0", BASE, "cloud-init", "hydra@abc123", 1767323045L, shuffled).toJson());

        Path json = Files.writeString(dir.resolve("manifest.json"), a);
        // jq: paths sorted (jq sorts strings by code point), fields present
        Oracles.check("jq", "-e", "(.paths | map(.path)) == (.paths | map(.path) | sort)", json.toString());
        Oracles.check("jq", "-e", ".source_date_epoch == 1767323045 and .base.signature == \"verified\""
                + " and .hydra_pin == \"hydra@abc123\" and .tool_version == \"0.1.0\"", json.toString());
        // every file hash equals sha256sum of the file it came from
        String lines = new String(Oracles.check("jq", "-r",
                ".paths[] | select(.type == \"file\") | .sha256 + \" \" + .path", json.toString()),
                StandardCharsets.UTF_8);
        for (String line : lines.strip().split("\n")) {
            String[] p = line.split(" ", 2);
            int i = List.of("/etc/hydra/hydra.conf", "/boot/firmware/config.txt", "/etc/ssh/sshd_config.d/hydra.conf",
                    "/usr/local/bin/hydrapi-firstboot", "/etc/Z", "/etc/a", "/etc/é").indexOf(p[1]);
            String sum = new String(Oracles.check("sha256sum", dir.resolve("f" + i).toString())).split(" ")[0];
            assertEquals(sum, p[0], p[1]);
        }
        assertTrue(a.contains("\"mode\": \"2775\""), a);
    }

    @Test
    void parse_roundTrips() throws IOException {
        BuildManifest m = BuildManifest.of("0.1.0", BASE, "none", null, 0, entriesFromRealFiles());
        assertEquals(m, BuildManifest.parse(m.toJson(), "m.json"));
        BuildManifest insecure = BuildManifest.of("0.1.0", new BuildManifest.Base("local.img.xz", null, "cd".repeat(32),
                BuildManifest.SignatureStatus.UNSIGNED_INSECURE, null), "resize", "pin", 5, List.of());
        assertEquals(insecure, BuildManifest.parse(insecure.toJson(), "m.json"));
        assertTrue(insecure.toJson().contains("\"signature\": \"unsigned-insecure\""));
    }

    @Test
    void parse_rejectsBadManifests() throws IOException {
        String good = BuildManifest.of("0.1.0", BASE, "none", null, 0, entriesFromRealFiles()).toJson();
        for (String bad : new String[] {
                good.replace("\"hydrapi_manifest\": 2", "\"hydrapi_manifest\": 3"),
                good.replace("\"mode\": \"0644\"", "\"mode\": \"644\""),
                good.replace("\"type\": \"file\"", "\"type\": \"fifo\""),
                good.replace("\"signature\": \"verified\"", "\"signature\": \"maybe\""),
                good.replace("\"signer\": \"" + OpenPgpVerifier.RASPBERRY_PI_FINGERPRINT + "\"", "\"signer\": null"),
                good.replace("\"uid\": 990", "\"uid\": -1"),
                good.replace("\"tool_version\"", "\"tool\""),
                good.replace("\"path\": \"/etc/a\"", "\"path\": \"/etc/Z\""),
                good.substring(0, good.length() / 2),
                "[]"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> BuildManifest.parse(bad, "m.json"));
            assertTrue(e.getMessage().startsWith("m.json: ") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** Images built before first_boot was recorded still show their manifest. */
    @Test
    void parse_readsFormat1WithoutFirstBoot() throws IOException {
        String two = BuildManifest.of("0.1.0", BASE, "cloud-init", null, 0, entriesFromRealFiles()).toJson();
        assertTrue(two.contains("\"first_boot\": \"cloud-init\""), two);
        String one = two.replace("\"hydrapi_manifest\": 2", "\"hydrapi_manifest\": 1")
                .replace("  \"first_boot\": \"cloud-init\",\n", "");
        assertFalse(one.contains("first_boot"), one);
        BuildManifest m = BuildManifest.parse(one, "old.json");
        assertEquals(1, m.format());
        assertEquals(null, m.firstBoot());
        assertEquals(one, m.toJson(), "a format-1 manifest is written back as it was");
    }

    @Test
    void new_rejectsDuplicateAndRelativePaths() {
        BuildManifest.Entry e = new BuildManifest.Entry("/etc/x", BuildManifest.Kind.FILE, "ab".repeat(32), 0644, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> BuildManifest.of("v", BASE, "none", null, 0, List.of(e, e)));
        assertThrows(IllegalArgumentException.class,
                () -> new BuildManifest.Entry("etc/x", BuildManifest.Kind.FILE, "ab".repeat(32), 0644, 0, 0));
    }
}
