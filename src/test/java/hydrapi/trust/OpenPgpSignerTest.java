// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.testkit.Gpg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;
import hydrapi.testkit.Oracles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenPgpSignerTest {

    private static final String PW = "correct horse";

    @TempDir
    static Path dir;
    static Gpg gpg;
    static String rsaFpr;
    static String edFpr;
    static Path rsaKey;
    static Path edKey;
    static Path data;

    @BeforeAll
    static void keys() throws IOException {
        gpg = new Gpg();
        rsaFpr = gpg.generate("RSA Test <rsa@example.invalid>", "rsa2048", "sign,cert", PW);
        // ed25519 primary that may only certify, with a signing subkey: the signer must pick the subkey.
        edFpr = gpg.generate("Ed Test <ed@example.invalid>", "ed25519", "cert", PW);
        gpg.addSubkey(edFpr, "ed25519", "sign", PW);
        rsaKey = gpg.exportSecret(rsaFpr, PW, dir.resolve("rsa.sec.asc"));
        edKey = gpg.exportSecret(edFpr, PW, dir.resolve("ed.sec.asc"));
        data = dir.resolve("out.img.xz");
        byte[] bytes = new byte[300_000];
        new Random(42).nextBytes(bytes);
        Files.write(data, bytes);
    }

    @AfterAll
    static void stopAgent() throws IOException {
        gpg.close();
    }

    @Test
    void signDetached_rsaVerifiesWithGpgAndFailsAfterOneByteChange() throws IOException {
        checkWithGpg(rsaKey, rsaFpr, OpenPgpSigner.Digest.SHA512, "rsa");
    }

    @Test
    void signDetached_ed25519SubkeyVerifiesWithGpgAndFailsAfterOneByteChange() throws IOException {
        checkWithGpg(edKey, edFpr, OpenPgpSigner.Digest.SHA256, "ed");
    }

    private void checkWithGpg(Path key, String fpr, OpenPgpSigner.Digest digest, String tag) throws IOException {
        OpenPgpSigner signer = OpenPgpSigner.load(key, PW.toCharArray());
        assertEquals(fpr, signer.fingerprint());
        Path file = dir.resolve(tag + ".img.xz");
        Files.copy(data, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path asc = dir.resolve(tag + ".img.xz.asc");
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        signer.signDetached(file, asc, now, digest);
        assertTrue(Files.readString(asc).startsWith("-----BEGIN PGP SIGNATURE-----\n"), Files.readString(asc));

        Oracles.Result ok = gpg.run("--status-fd", "1", "--verify", asc.toString(), file.toString());
        assertEquals(0, ok.exitCode(), ok.all());
        assertTrue(ok.out().contains("[GNUPG:] GOODSIG"), ok.all());
        // VALIDSIG <signing fpr> <date> <timestamp> ... <primary fpr>
        assertTrue(ok.out().contains(" " + now.getEpochSecond() + " "), ok.all());
        assertTrue(ok.out().matches("(?s).*VALIDSIG \\S+ \\S+ \\d+ .* " + fpr + "\\n.*"), ok.all());
        assertTrue(ok.out().contains("[GNUPG:] VALIDSIG " + signer.signingKeyFingerprint()), ok.all());

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        Oracles.Result bad = gpg.run("--status-fd", "1", "--verify", asc.toString(), file.toString());
        assertNotEquals(0, bad.exitCode(), bad.all());
        assertTrue(bad.out().contains("[GNUPG:] BADSIG"), bad.all());
    }

    @Test
    void signDetached_sameInstantGivesSameBytesForRsaAndEd25519() throws IOException {
        // A time after the keys' creation, so it is not raised to it (see effectiveCreationTime).
        Instant t = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        for (Path key : new Path[] {rsaKey, edKey}) {
            byte[] a = OpenPgpSigner.load(key, PW.toCharArray()).signDetached(data, t, OpenPgpSigner.Digest.SHA512);
            byte[] b = OpenPgpSigner.load(key, PW.toCharArray()).signDetached(data, t, OpenPgpSigner.Digest.SHA512);
            assertArrayEquals(a, b, key.toString());
            byte[] later = OpenPgpSigner.load(key, PW.toCharArray())
                    .signDetached(data, t.plusSeconds(1), OpenPgpSigner.Digest.SHA512);
            assertFalse(java.util.Arrays.equals(a, later), "creation time must be in the signature");
            assertFalse(new String(a, StandardCharsets.US_ASCII).contains("Version:"));
        }
    }

    @Test
    void signDetached_ecdsaVerifiesButIsNotByteDeterministic() throws IOException {
        String fpr = gpg.generate("EC Test <ec@example.invalid>", "nistp256", "sign", PW);
        OpenPgpSigner signer = OpenPgpSigner.load(gpg.exportSecret(fpr, PW, dir.resolve("ec.sec.asc")), PW.toCharArray());
        Instant t = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        byte[] a = signer.signDetached(data, t, OpenPgpSigner.Digest.SHA256);
        byte[] b = signer.signDetached(data, t, OpenPgpSigner.Digest.SHA256);
        // ECDSA draws a fresh nonce per signature (FIPS 186-4 §6.3), as the class comment says
        assertFalse(java.util.Arrays.equals(a, b));
        for (byte[] sig : new byte[][] {a, b}) {
            Path asc = Files.write(dir.resolve("ec.asc"), sig);
            assertEquals(0, gpg.run("--verify", asc.toString(), data.toString()).exitCode());
        }
    }

    @Test
    void signDetached_epochBeforeKeyIsRaisedToKeyCreationSoGpgAccepts() throws IOException {
        OpenPgpSigner signer = OpenPgpSigner.load(rsaKey, PW.toCharArray());
        Path asc = dir.resolve("old.asc");
        signer.signDetached(data, asc, Instant.ofEpochSecond(1), OpenPgpSigner.Digest.SHA256);
        String created = null;
        for (String line : gpg.check("--with-colons", "--list-keys", rsaFpr).out().split("\n")) {
            if (line.startsWith("pub:")) {
                created = line.split(":")[5];
            }
        }
        Oracles.Result ok = gpg.run("--status-fd", "1", "--verify", asc.toString(), data.toString());
        assertEquals(0, ok.exitCode(), ok.all());
        assertTrue(ok.out().contains("[GNUPG:] VALIDSIG " + rsaFpr + " ") && ok.out().contains(" " + created + " "),
                "signature time must equal key creation " + created + ":\n" + ok.all());
        assertEquals(Long.parseLong(created), signer.effectiveCreationTime(Instant.EPOCH).getEpochSecond());
    }

    @Test
    void readPassphrase_takesTheFirstLineWithoutItsEnd() throws IOException {
        Path f = Files.writeString(dir.resolve("pass"), PW + "\r\nsecond line\n");
        char[] pw = OpenPgpSigner.readPassphrase(f);
        assertEquals(PW, new String(pw));
        assertEquals(rsaFpr, OpenPgpSigner.load(rsaKey, pw).fingerprint());
        assertEquals(0, OpenPgpSigner.readPassphrase(Files.writeString(dir.resolve("empty"), "")).length);
        assertThrows(InvalidInputException.class, () -> OpenPgpSigner.readPassphrase(dir.resolve("absent")));
    }

    @Test
    void load_wrongPassphraseIsInvalidInput() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> OpenPgpSigner.load(rsaKey, "wrong".toCharArray()));
        assertTrue(e.getMessage().contains(rsaFpr), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void load_publicKeyOrGarbageIsInvalidInput() throws IOException {
        Path pub = gpg.exportPublic(rsaFpr, true, dir.resolve("rsa.pub.asc"));
        assertThrows(InvalidInputException.class, () -> OpenPgpSigner.load(pub, PW.toCharArray()));
        Path junk = Files.writeString(dir.resolve("junk.asc"), "hello\n");
        assertThrows(InvalidInputException.class, () -> OpenPgpSigner.load(junk, PW.toCharArray()));
    }
}
