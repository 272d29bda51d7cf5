// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.testkit.Gpg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
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

    private static BasePolicy pi(boolean insecure) {
        return new BasePolicy(piKeys, piFpr == null ? java.util.List.of() : java.util.List.of(piFpr), insecure);
    }

    private static BaseImageCheck.Outcome check(Path img, boolean downloaded, BasePolicy policy) throws IOException {
        return BaseImageCheck.check(img, downloaded ? "https://x.invalid/a.img.xz" : null, null, downloaded, policy,
                null);
    }

    @Test
    void check_goodReleaseIsVerifiedInOneRead() throws IOException {
        Path img = release("good", piFpr);
        long[] read = {0};
        BaseImageCheck.Outcome o = BaseImageCheck.check(img, "https://x.invalid/a.img.xz", null, true, pi(false),
                done -> read[0] = done);
        BuildManifest.Base b = o.base();
        assertEquals(BuildManifest.SignatureStatus.VERIFIED, b.signature());
        assertEquals(piFpr, b.signerFingerprint());
        assertEquals("https://x.invalid/a.img.xz", b.url());
        assertEquals(new String(Oracles.check("sha256sum", img.toString()), StandardCharsets.US_ASCII).split(" ")[0],
                b.sha256());
        assertTrue(o.contentChecked());
        // hash and signature were fed by the same pass: the progress ends at the file size, once
        assertEquals(Files.size(img), read[0]);
    }

    @Test
    void check_tamperedImageIsCorruptEvenWhenInsecure() throws IOException {
        Path img = release("tampered", piFpr);
        byte[] bytes = Files.readAllBytes(img);
        bytes[500] ^= 1;
        Files.write(img, bytes);
        CorruptImageException e = assertThrows(CorruptImageException.class, () -> check(img, true, pi(true)));
        assertTrue(e.getMessage().contains("SHA-256") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void check_tamperedImageWithMatchingSidecarFailsTheSignature() throws IOException {
        Path img = release("resummed", piFpr);
        byte[] bytes = Files.readAllBytes(img);
        bytes[500] ^= 1;
        Files.write(img, bytes);
        Files.writeString(img.resolveSibling(img.getFileName() + ".sha256"),
                Sha256Sums.line(Sha256Sums.hash(img, null), img.getFileName().toString()));
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> check(img, true, pi(false)));
        assertTrue(e.getMessage().contains("BAD signature"), e.getMessage());
        assertEquals(BuildManifest.SignatureStatus.BAD_SIGNATURE_INSECURE, check(img, true, pi(true)).base().signature());
    }

    @Test
    void check_wrongSha256SidecarOrListHashIsCorrupt() throws IOException {
        Path img = release("wrongsum", piFpr);
        String good = Sha256Sums.hash(img, null);
        assertThrows(CorruptImageException.class,
                () -> BaseImageCheck.check(img, null, "0".repeat(64), true, pi(false), null));
        assertTrue(BaseImageCheck.check(img, null, good.toUpperCase(), true, pi(false), null).contentChecked());
        Files.writeString(img.resolveSibling(img.getFileName() + ".sha256"),
                Sha256Sums.line("f".repeat(64), img.getFileName().toString()));
        assertThrows(CorruptImageException.class,
                () -> BaseImageCheck.check(img, null, good, false, pi(true), null));
    }

    @Test
    void check_signatureByAnotherKeyIsRefusedUnlessInsecure() throws IOException {
        Path img = release("other", otherFpr);
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> check(img, false, pi(false)));
        assertTrue(e.getMessage().contains(piFpr), e.getMessage());
        BuildManifest.Base b = check(img, false, pi(true)).base();
        assertEquals(BuildManifest.SignatureStatus.BAD_SIGNATURE_INSECURE, b.signature());
        assertNull(b.signerFingerprint());
    }

    @Test
    void check_missingSignatureOfADownloadIsRefusedUnlessInsecure() throws IOException {
        Path img = release("unsigned", null);
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> check(img, true, pi(false)));
        assertTrue(e.getMessage().contains(HydrapiException.mention(BasePolicy.INSECURE)), e.getMessage());
        assertEquals(BuildManifest.SignatureStatus.UNSIGNED_INSECURE, check(img, true, pi(true)).base().signature());
    }

    @Test
    void check_localBaseWithoutSignatureIsUnsigned_itsSidecarStillChecked() throws IOException {
        Path img = release("local", null);
        BaseImageCheck.Outcome o = check(img, false, pi(false));
        assertEquals(BuildManifest.SignatureStatus.UNSIGNED, o.base().signature());
        assertTrue(o.contentChecked(), "the .sha256 beside it matched");
        Files.delete(img.resolveSibling(img.getFileName() + ".sha256"));
        assertFalse(check(img, false, pi(false)).contentChecked());
    }

    @Test
    void check_signatureWithoutAnyKeyNamesWhereToGetIt_unlessInsecure() throws IOException {
        Path img = release("nokey", piFpr);
        BasePolicy none = new BasePolicy(null, java.util.List.of(OpenPgpVerifier.RASPBERRY_PI_FINGERPRINT), false);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> check(img, false, none));
        assertTrue(e.getMessage().contains(OpenPgpVerifier.RASPBERRY_PI_KEY_URL)
                && e.getMessage().contains(HydrapiException.mention(BasePolicy.KEY)) && !e.getMessage().contains("\n"),
                e.getMessage());
        BaseImageCheck.Outcome o = check(img, false, new BasePolicy(null, java.util.List.of(), true));
        assertEquals(BuildManifest.SignatureStatus.UNCHECKED_INSECURE, o.base().signature());
        assertTrue(o.contentChecked(), "the sidecar still vouches for the bytes");
    }
}
