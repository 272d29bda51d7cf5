// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.testkit.Gpg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.VerificationFailedException;
import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseImageCheckTest {

    @TempDir
    static Path dir;
    static Gpg gpg;
    static String piFpr;
    static String otherFpr;
    static OpenPgpVerifier piKeys;

    @BeforeAll
    static void keys() throws IOException {
        gpg = new Gpg();
        piFpr = gpg.generate("Pi <pi@example.invalid>", "ed25519", "sign", "");
        otherFpr = gpg.generate("Mallory <m@example.invalid>", "ed25519", "sign", "");
        piKeys = OpenPgpVerifier.load(gpg.exportPublic(piFpr, true, dir.resolve("pi.asc")));
    }

    @AfterAll
    static void stopAgent() throws IOException {
        gpg.close();
    }

    /** A release folder made by the real tools: sha256sum writes the sidecar, gpg the signature. */
    private static Path release(String name, String signer) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Path img = folder.resolve("2025-12-04-raspios-trixie-arm64-lite.img.xz");
        byte[] bytes = new byte[100_000];
        new Random(name.hashCode()).nextBytes(bytes);
        Files.write(img, bytes);
        Oracles.Result sum = Oracles.run(List.of("sha256sum", img.getFileName().toString()), folder, Map.of());
        Files.write(folder.resolve(img.getFileName() + ".sha256"), sum.stdout());
        if (signer != null) {
            gpg.check("--passphrase", "", "--local-user", signer, "--output", img + ".sig", "--detach-sign", img.toString());
        }
        return img;
    }

    @Test
    void check_goodReleaseIsVerified() throws IOException {
        Path img = release("good", piFpr);
        BuildManifest.Base b = BaseImageCheck.check(img, "https://x.invalid/a.img.xz", null, piKeys, piFpr, false);
        assertEquals(BuildManifest.SignatureStatus.VERIFIED, b.signature());
        assertEquals(piFpr, b.signerFingerprint());
        assertEquals(new String(Oracles.check("sha256sum", img.toString()), StandardCharsets.US_ASCII).split(" ")[0],
                b.sha256());
    }

    @Test
    void check_tamperedImageIsRefusedEvenWhenInsecure() throws IOException {
        Path img = release("tampered", piFpr);
        byte[] bytes = Files.readAllBytes(img);
        bytes[500] ^= 1;
        Files.write(img, bytes);
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> BaseImageCheck.check(img, null, null, piKeys, piFpr, true));
        assertTrue(e.getMessage().contains("SHA-256") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void check_wrongSha256SidecarOrListHashIsRefused() throws IOException {
        Path img = release("wrongsum", piFpr);
        String good = Sha256Sums.hash(img, null);
        assertThrows(VerificationFailedException.class,
                () -> BaseImageCheck.check(img, null, "0".repeat(64), piKeys, piFpr, false));
        Files.writeString(img.resolveSibling(img.getFileName() + ".sha256"),
                Sha256Sums.line("f".repeat(64), img.getFileName().toString()));
        assertThrows(VerificationFailedException.class, () -> BaseImageCheck.check(img, null, good, piKeys, piFpr, false));
    }

    @Test
    void check_signatureByAnotherKeyIsRefusedUnlessInsecure() throws IOException {
        Path img = release("other", otherFpr);
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> BaseImageCheck.check(img, null, null, piKeys, piFpr, false));
        assertTrue(e.getMessage().contains(piFpr), e.getMessage());
        BuildManifest.Base b = BaseImageCheck.check(img, null, null, piKeys, piFpr, true);
        assertEquals(BuildManifest.SignatureStatus.BAD_SIGNATURE_INSECURE, b.signature());
        assertNull(b.signerFingerprint());
    }

    @Test
    void check_missingSignatureIsRefusedUnlessInsecure() throws IOException {
        Path img = release("unsigned", null);
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> BaseImageCheck.check(img, null, null, piKeys, piFpr, false));
        assertTrue(e.getMessage().contains("--insecure"), e.getMessage());
        assertEquals(BuildManifest.SignatureStatus.UNSIGNED_INSECURE,
                BaseImageCheck.check(img, null, null, piKeys, piFpr, true).signature());
    }
}
