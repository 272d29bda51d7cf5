// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.testkit.Gpg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.VerificationFailedException;
import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenPgpVerifierTest {

    private static final String PW = "pw";

    @TempDir
    static Path dir;
    static Gpg gpg;
    static String goodFpr;
    static String subFpr;
    static String otherFpr;
    static Path goodPub;
    static Path file;

    @BeforeAll
    static void keys() throws IOException {
        gpg = new Gpg();
        goodFpr = gpg.generate("Pi Test <pi@example.invalid>", "ed25519", "cert", PW);
        gpg.addSubkey(goodFpr, "ed25519", "sign", PW);
        for (String line : gpg.check("--with-colons", "--list-keys", goodFpr).out().split("\n")) {
            if (line.startsWith("fpr:")) {
                subFpr = line.split(":")[9]; // the last fpr line is the subkey's
            }
        }
        otherFpr = gpg.generate("Other <other@example.invalid>", "rsa2048", "sign", PW);
        goodPub = gpg.exportPublic(goodFpr, true, dir.resolve("pi.pub.asc"));
        file = dir.resolve("base.img.xz");
        byte[] bytes = new byte[200_000];
        new Random(7).nextBytes(bytes);
        Files.write(file, bytes);
    }

    @AfterAll
    static void stopAgent() throws IOException {
        gpg.close();
    }

    private static Path gpgSign(String fpr, boolean armor, String name, String... extra) throws IOException {
        Path sig = dir.resolve(name);
        Files.deleteIfExists(sig);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--passphrase", PW,
                "--local-user", fpr + "!", "--output", sig.toString()));
        args.addAll(java.util.List.of(extra));
        if (armor) {
            args.add("--armor");
        }
        args.add("--detach-sign");
        args.add(file.toString());
        gpg.check(args.toArray(String[]::new));
        return sig;
    }

    @Test
    void verify_binaryAndArmoredGpgSignaturesPass() throws IOException {
        OpenPgpVerifier v = OpenPgpVerifier.load(goodPub);
        for (boolean armor : new boolean[] {false, true}) {
            Path sig = gpgSign(subFpr, armor, "base.img.xz." + (armor ? "asc" : "sig"));
            OpenPgpVerifier.Verified ok = v.verify(file, sig, goodFpr.replaceAll("(.{4})", "$1 ").strip());
            assertEquals(goodFpr, ok.primaryFingerprint());
            assertEquals(subFpr, ok.signingKeyFingerprint());
            assertTrue(Math.abs(ok.created().getEpochSecond() - Instant.now().getEpochSecond()) < 600);
            // No expected fingerprint: any key in the keyring; the subkey's own fingerprint is also accepted.
            assertEquals(goodFpr, v.verify(file, sig, null).primaryFingerprint());
            assertEquals(goodFpr, v.verify(file, sig, "0x" + subFpr.toLowerCase()).primaryFingerprint());
        }
    }

    @Test
    void verify_binaryPublicKeyringIsAccepted() throws IOException {
        Path bin = gpg.exportPublic(goodFpr, false, dir.resolve("pi.pub.gpg"));
        Path sig = gpgSign(subFpr, false, "bin.sig");
        assertEquals(goodFpr, OpenPgpVerifier.load(bin).verify(file, sig, goodFpr).primaryFingerprint());
    }

    @Test
    void verify_tamperedFileFails() throws IOException {
        Path sig = gpgSign(subFpr, false, "t.sig");
        Path copy = dir.resolve("tampered.img.xz");
        byte[] bytes = Files.readAllBytes(file);
        bytes[12345] ^= 0x40;
        Files.write(copy, bytes);
        // gpg agrees it is bad
        assertFalse(gpg.run("--verify", sig.toString(), copy.toString()).exitCode() == 0);
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> OpenPgpVerifier.load(goodPub).verify(copy, sig, goodFpr));
        assertTrue(e.getMessage().contains("BAD signature") && e.getMessage().contains(goodFpr), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void verify_signatureByAnotherKeyFails() throws IOException {
        Path sig = gpgSign(otherFpr, true, "other.asc");
        assertEquals(0, gpg.run("--verify", sig.toString(), file.toString()).exitCode(), "gpg knows both keys");
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> OpenPgpVerifier.load(goodPub).verify(file, sig, goodFpr));
        assertTrue(e.getMessage().contains(otherFpr.substring(24)), e.getMessage());
        // Both keys in the keyring, but the caller insists on the Pi key.
        Path both = dir.resolve("both.asc");
        Files.write(both, gpg.check("--armor", "--export", goodFpr, otherFpr).stdout());
        OpenPgpVerifier v = OpenPgpVerifier.load(both);
        assertEquals(2, v.fingerprints().size());
        assertEquals(otherFpr, v.verify(file, sig, null).primaryFingerprint());
        assertThrows(VerificationFailedException.class, () -> v.verify(file, sig, goodFpr));
    }

    @Test
    void verify_revokedKeyFails() throws IOException {
        String fpr = gpg.generate("Revoked <rev@example.invalid>", "ed25519", "sign", PW);
        Path sig = gpgSign(fpr, false, "rev.sig");
        assertEquals(fpr, OpenPgpVerifier.load(gpg.exportPublic(fpr, true, dir.resolve("rev-before.asc")))
                .verify(file, sig, fpr).primaryFingerprint());
        // gpg keeps a revocation certificate per key, its armor line prefixed by ':' against accidents
        Path cert = gpg.home().resolve("openpgp-revocs.d").resolve(fpr + ".rev");
        Path armed = Files.writeString(dir.resolve("rev.rev"), Files.readString(cert).replace(":-----BEGIN", "-----BEGIN"));
        gpg.check("--import", armed.toString());
        assertTrue(gpg.run("--status-fd", "1", "--verify", sig.toString(), file.toString()).out().contains("REVKEYSIG"));
        OpenPgpVerifier v = OpenPgpVerifier.load(gpg.exportPublic(fpr, true, dir.resolve("rev-after.asc")));
        VerificationFailedException e = assertThrows(VerificationFailedException.class, () -> v.verify(file, sig, fpr));
        assertTrue(e.getMessage().contains("revoked"), e.getMessage());
    }

    @Test
    void verify_missingSignatureFails_namingNoOtherInput() throws IOException {
        VerificationFailedException e = assertThrows(VerificationFailedException.class,
                () -> OpenPgpVerifier.load(goodPub).verify(file, dir.resolve("absent.sig"), goodFpr));
        // verify has no switch to accept an unsigned file, so the message offers none.
        assertEquals(dir.resolve("absent.sig") + ": signature missing; fetch it beside the file", e.getMessage());
    }

    @Test
    void load_missingFileNamesTheInputThatGaveIt() {
        Path absent = dir.resolve("absent.asc");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> OpenPgpVerifier.load(absent, BasePolicy.KEY));
        assertEquals(BasePolicy.KEY, e.input());
        assertEquals(HydrapiException.mention(BasePolicy.KEY) + " " + absent + ": public key file not found",
                e.getMessage());
    }

    @Test
    void verify_sha1SignatureIsRefused() throws IOException {
        Path sig = gpgSign(subFpr, false, "sha1.sig", "--digest-algo", "SHA1");
        assertThrows(VerificationFailedException.class, () -> OpenPgpVerifier.load(goodPub).verify(file, sig, null));
    }

    @Test
    void verify_malformedSignatureIsCorruptAndKeyringIsInvalidInput() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.sig"), "not a signature at all\n");
        assertThrows(CorruptImageException.class, () -> OpenPgpVerifier.load(goodPub).verify(file, garbage, null));
        // A public key where the signature should be
        assertThrows(CorruptImageException.class, () -> OpenPgpVerifier.load(goodPub).verify(file, goodPub, null));
        assertThrows(InvalidInputException.class, () -> OpenPgpVerifier.load(garbage));
        assertThrows(InvalidInputException.class, () -> OpenPgpVerifier.load(dir.resolve("nokey.asc")));
    }

    @Test
    void verify_mutatedSignatureBytesOnlyRaiseHydrapiExceptions() throws IOException {
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        System.out.println("OpenPgpVerifierTest seed " + seed + " (replay: -Dhydrapi.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Path sig = gpgSign(subFpr, false, "fuzz-base.sig");
        byte[] good = Files.readAllBytes(sig);
        OpenPgpVerifier v = OpenPgpVerifier.load(goodPub);
        Path mutated = dir.resolve("fuzz.sig");
        int accepted = 0;
        for (int i = 0; i < 200; i++) {
            byte[] b = good.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            Files.write(mutated, b);
            try {
                v.verify(file, mutated, goodFpr);
                accepted++; // only possible if a flip hit the unhashed area (e.g. issuer subpacket padding)
            } catch (HydrapiException expected) {
                assertFalse(expected.getMessage().contains("\n"), expected.getMessage());
            }
        }
        assertTrue(accepted < 40, "too many mutated signatures accepted: " + accepted);
    }

    @Test
    void verify_ourSignerOutputPasses() throws IOException {
        Path sec = gpg.exportSecret(goodFpr, PW, dir.resolve("pi.sec.asc"));
        Path asc = dir.resolve("ours.asc");
        OpenPgpSigner.load(sec, PW.toCharArray()).signDetached(file, asc, Instant.now(), OpenPgpSigner.Digest.SHA512);
        assertEquals(subFpr, OpenPgpVerifier.load(goodPub).verify(file, asc, goodFpr).signingKeyFingerprint());
        assertEquals(0, gpg.run("--verify", asc.toString(), file.toString()).exitCode());
    }

    @Test
    void raspberryPi_shippedKeyHasTheDocumentedFingerprintOrIsAbsent() throws IOException {
        if (OpenPgpVerifier.class.getResource(OpenPgpVerifier.RASPBERRY_PI_KEY_RESOURCE) == null) {
            InvalidInputException e = assertThrows(InvalidInputException.class, OpenPgpVerifier::raspberryPi);
            assertTrue(e.getMessage().contains(HydrapiException.mention(BasePolicy.KEY)), e.getMessage());
            return;
        }
        assertEquals(java.util.List.of(OpenPgpVerifier.RASPBERRY_PI_FINGERPRINT),
                OpenPgpVerifier.raspberryPi().fingerprints());
        Oracles.Result r = gpg.run("--with-colons", "--import-options", "show-only", "--import",
                "src/main/resources" + OpenPgpVerifier.RASPBERRY_PI_KEY_RESOURCE);
        assertTrue(r.out().contains("fpr:::::::::" + OpenPgpVerifier.RASPBERRY_PI_FINGERPRINT + ":"), r.all());
    }
}
