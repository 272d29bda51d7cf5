// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.trust.OpenPgpVerifier;
import hydrapi.testkit.Gpg;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A local base with a .sha256 or .sig beside it is checked as a download is; sidecars made by sha256sum and gpg. */
class BuildLocalBaseTest {

    private static final String NAME = "2025-12-04-raspios-trixie-arm64-lite.img.xz";

    @TempDir
    static Path keys;
    static Gpg gpg;
    static String piFpr;
    static String otherFpr;
    static Path piPub;

    @TempDir
    Path tmp;

    @BeforeAll
    static void keys() throws IOException {
        gpg = new Gpg();
        piFpr = gpg.generate("Pi Test <pi@example.invalid>", "ed25519", "sign", "");
        otherFpr = gpg.generate("Mallory <m@example.invalid>", "ed25519", "sign", "");
        piPub = gpg.exportPublic(piFpr, true, keys.resolve("pi.pub"));
    }

    @AfterAll
    static void stopAgent() throws IOException {
        gpg.close();
    }

    /** A copy of the sample in its own folder with a .sha256 from sha256sum and, if {@code signer}, a gpg .sig. */
    private Path folder(String signer) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("base"));
        Path img = Files.copy(Samples.sampleXz(), dir.resolve(NAME));
        Files.write(dir.resolve(NAME + ".sha256"), Oracles.run(List.of("sha256sum", NAME), dir, Map.of()).stdout());
        if (signer != null) {
            gpg.check("--passphrase", "", "--local-user", signer, "--output", img + ".sig", "--detach-sign",
                    img.toString());
        }
        return img;
    }

    private Path outDir() throws IOException {
        return Files.createDirectories(tmp.resolve("out"));
    }

    private void assertRefused(Cli.Run r, int code, String needle, Path base, byte[] baseBefore) throws IOException {
        assertEquals(code, r.exitCode(), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), "one line: " + r.stderr());
        assertTrue(r.stderr().startsWith("hydrapi: ") && r.stderr().contains(needle), r.stderr());
        try (Stream<Path> s = Files.list(outDir())) {
            assertEquals(List.of(), s.toList(), "output left behind");
        }
        assertArrayEquals(baseBefore, Files.readAllBytes(base), "the base is never touched");
        try (Stream<Path> s = Files.list(base.getParent())) {
            assertEquals(3, s.count(), "the base's folder keeps its image, .sha256 and .sig");
        }
    }

    @Test
    void signedLocalBase_isVerifiedWithBaseKey_withoutWarning() throws Exception {
        Path img = folder(piFpr);
        Path out = outDir().resolve("o.img.xz");
        Cli.Run r = Cli.run("build", "--base", img.toString(), "--out", out.toString(), "--ssh", "--base-key",
                piPub.toString());
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stderr());
        Oracles.check("jq", "-e", ".base.signature == \"verified\" and .base.signer == \"" + piFpr
                + "\" and .base.url == null and .base.name == \"" + NAME + "\"", out + ".manifest.json");
    }

    @Test
    void localBaseSignedByAnotherKey_isRefused_unlessInsecure() throws Exception {
        Path img = folder(otherFpr);
        byte[] before = Files.readAllBytes(img);
        Path out = outDir().resolve("o.img.xz");
        assertRefused(Cli.run("build", "--base", img.toString(), "--out", out.toString(), "--base-key",
                piPub.toString()), 1, "not by a key in", img, before);

        Cli.Run r = Cli.run("build", "--base", img.toString(), "--out", out.toString(), "--base-key",
                piPub.toString(), "--insecure");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("hydrapi: warning: base " + NAME + " has a signature that did not verify")
                && r.stderr().strip().lines().count() == 1, r.stderr());
        Oracles.check("jq", "-e", ".base.signature == \"bad-signature-insecure\" and .base.signer == null",
                out + ".manifest.json");
    }

    @Test
    void localBaseWithAChangedByte_failsItsSha256_evenWhenInsecure() throws Exception {
        Path img = folder(piFpr);
        byte[] bytes = Files.readAllBytes(img);
        bytes[bytes.length - 200] ^= 1;
        Files.write(img, bytes);
        assertRefused(Cli.run("build", "--base", img.toString(), "--out", outDir().resolve("o.img.xz").toString(),
                "--base-key", piPub.toString(), "--insecure"), 4, NAME + ".sha256", img, bytes);
    }

    @Test
    void localBaseWithAMatchingSha256ButChangedBytes_failsItsSignature() throws Exception {
        Path img = folder(piFpr);
        byte[] bytes = Files.readAllBytes(img);
        bytes[bytes.length - 200] ^= 1;
        Files.write(img, bytes);
        Path dir = img.getParent();
        Files.write(dir.resolve(NAME + ".sha256"), Oracles.run(List.of("sha256sum", NAME), dir, Map.of()).stdout());
        assertRefused(Cli.run("build", "--base", img.toString(), "--out", outDir().resolve("o.img.xz").toString(),
                "--base-key", piPub.toString()), 1, "BAD signature", img, bytes);
    }

    @Test
    void signedLocalBaseWithoutAnyKey_namesWhereToGetRaspberryPisKey() throws Exception {
        if (OpenPgpVerifier.class.getResource(OpenPgpVerifier.RASPBERRY_PI_KEY_RESOURCE) != null) {
            return; // a build that ships the key checks against it instead
        }
        Path img = folder(piFpr);
        assertRefused(Cli.run("build", "--base", img.toString(), "--out", outDir().resolve("o.img.xz").toString()),
                2, OpenPgpVerifier.RASPBERRY_PI_KEY_URL, img, Files.readAllBytes(img));
        Cli.Run r = Cli.run("build", "--base", img.toString(), "--out", outDir().resolve("o.img.xz").toString(),
                "--insecure", "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals("", r.stderr(), "--quiet silences the warning");
        String m = Files.readString(outDir().resolve("o.img.xz.manifest.json"), StandardCharsets.UTF_8);
        assertTrue(m.contains("\"signature\": \"unchecked-insecure\""), m);
    }
}
