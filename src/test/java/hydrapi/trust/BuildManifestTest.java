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
import java.util.Map;
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

    private static final List<BuildManifest.RecipeRecord> HYDRA = List.of(
            new BuildManifest.RecipeRecord("hydra-server", Map.of("pin", "legacy-2016", "admin_user", "alice")),
            new BuildManifest.RecipeRecord("headless", Map.of()));

    @Test
    void toJson_isSortedDeterministicAndMatchesSha256sum() throws IOException {
        List<BuildManifest.Entry> entries = entriesFromRealFiles();
        String a = BuildManifest.of("0.1.0", BASE, "cloud-init", HYDRA, 1767323045L, entries).toJson();
        List<BuildManifest.Entry> shuffled = new ArrayList<>(entries);
        Collections.shuffle(shuffled, new Random(3));
        assertEquals(a, BuildManifest.of("0.1.0", BASE, "cloud-init", HYDRA, 1767323045L, shuffled).toJson());

        Path json = Files.writeString(dir.resolve("manifest.json"), a);
        // jq: paths sorted (jq sorts strings by code point), fields present
        Oracles.check("jq", "-e", "(.paths | map(.path)) == (.paths | map(.path) | sort)", json.toString());
        Oracles.check("jq", "-e", ".source_date_epoch == 1767323045 and .base.signature == \"verified\""
                + " and .tool_version == \"0.1.0\" and .hydrapi_manifest == 3", json.toString());
        // recipes in the order they ran, facts sorted by key
        Oracles.check("jq", "-e", "(.recipes | map(.name)) == [\"hydra-server\", \"headless\"]"
                + " and (.recipes[0].facts | keys_unsorted) == [\"admin_user\", \"pin\"]"
                + " and .recipes[0].facts.pin == \"legacy-2016\" and .recipes[1].facts == {}", json.toString());
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
        BuildManifest m = BuildManifest.of("0.1.0", BASE, "none", List.of(), 0, entriesFromRealFiles());
        assertEquals(m, BuildManifest.parse(m.toJson(), "m.json"));
        BuildManifest insecure = BuildManifest.of("0.1.0", new BuildManifest.Base("local.img.xz", null, "cd".repeat(32),
                BuildManifest.SignatureStatus.UNSIGNED_INSECURE, null), "resize", HYDRA, 5, List.of());
        assertEquals(insecure, BuildManifest.parse(insecure.toJson(), "m.json"));
        assertTrue(insecure.toJson().contains("\"signature\": \"unsigned-insecure\""));
    }

    @Test
    void parse_rejectsBadManifests() throws IOException {
        String good = BuildManifest.of("0.1.0", BASE, "none", List.of(), 0, entriesFromRealFiles()).toJson();
        for (String bad : new String[] {
                good.replace("\"hydrapi_manifest\": 3", "\"hydrapi_manifest\": 4"),
                good.replace("\"hydrapi_manifest\": 3", "\"hydrapi_manifest\": 0"),
                good.replace("\"recipes\": []", "\"recipes\": [{\"name\": \"x\", \"facts\": {\"a\": 1}}]"),
                good.replace("\"recipes\": []", "\"recipes\": [{\"name\": \"\", \"facts\": {}}]"),
                good.replace("\"recipes\": []", "\"recipes\": [{\"name\": \"x\"}]"),
                good.replace("\"recipes\": []", "\"recipes\": {}"),
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
        String two = format2("cloud-init", null);
        String one = two.replace("\"hydrapi_manifest\": 2", "\"hydrapi_manifest\": 1")
                .replace("  \"first_boot\": \"cloud-init\",\n", "");
        assertFalse(one.contains("first_boot"), one);
        BuildManifest m = BuildManifest.parse(one, "old.json");
        assertEquals(1, m.format());
        assertEquals(null, m.firstBoot());
        assertEquals(one, m.toJson(), "a format-1 manifest is written back as it was");
    }

    /** Format 2 recorded the Hydra pin alone; it reads as the one recipe it stood for, and writes back unchanged. */
    @Test
    void parse_readsFormat2HydraPinAsARecipe() throws IOException {
        String two = format2("cloud-init", "legacy-2016 993647d sha256-AAAA");
        BuildManifest m = BuildManifest.parse(two, "old.json");
        assertEquals(2, m.format());
        assertEquals(List.of(new BuildManifest.RecipeRecord(BuildManifest.LEGACY_HYDRA_RECIPE,
                Map.of(BuildManifest.LEGACY_HYDRA_FACT, "legacy-2016 993647d sha256-AAAA"))), m.recipes());
        assertEquals(two, m.toJson());
        assertEquals(List.of(), BuildManifest.parse(format2("none", null), "old.json").recipes());
        assertThrows(IllegalArgumentException.class, () -> new BuildManifest(2, "v", BASE, "none", HYDRA, 0,
                List.of()), "format 2 has no place for a recipe's facts");
    }

    /** A format-2 manifest as hydrapi wrote it before recipes were recorded, from today's format-3 text. */
    private String format2(String firstBoot, String hydraPin) throws IOException {
        String three = BuildManifest.of("0.1.0", BASE, firstBoot, List.of(), 0, entriesFromRealFiles()).toJson();
        assertTrue(three.contains("  \"recipes\": [],\n"), three);
        return three.replace("\"hydrapi_manifest\": 3", "\"hydrapi_manifest\": 2")
                .replace("  \"recipes\": [],\n", "  \"hydra_pin\": " + (hydraPin == null ? "null"
                        : "\"" + hydraPin + "\"") + ",\n");
    }

    @Test
    void new_rejectsDuplicateAndRelativePaths() {
        BuildManifest.Entry e = new BuildManifest.Entry("/etc/x", BuildManifest.Kind.FILE, "ab".repeat(32), 0644, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> BuildManifest.of("v", BASE, "none", List.of(), 0, List.of(e, e)));
        assertThrows(IllegalArgumentException.class,
                () -> new BuildManifest.Entry("etc/x", BuildManifest.Kind.FILE, "ab".repeat(32), 0644, 0, 0));
    }
}
