// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;

import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Iterator;

/**
 * Makes detached, ASCII-armored OpenPGP v4 signatures (RFC 4880 §5.2, §11.4) that {@code gpg --verify SIG FILE}
 * accepts, from an ASCII-armored (or binary) transferable secret key.
 *
 * <p>Reproducibility: the signature creation time is the only clock value in a v4 signature and is taken
 * from the caller ({@code SOURCE_DATE_EPOCH}), raised to the key's creation time if older (see
 * {@link #effectiveCreationTime}). With that fixed, RSA (PKCS#1 v1.5, RFC 8017 §8.2) and EdDSA
 * (RFC 8032 §5.1.6, nonce derived from key and message) signatures are byte-for-byte deterministic; ECDSA
 * and DSA draw a random nonce, so their bytes differ per run while still verifying. The armor is written
 * without a {@code Version:} header so it does not change with the Bouncy Castle release.
 */
public final class OpenPgpSigner {

    /** The input messages name ({@link HydrapiException#mention}): the passphrase that unlocks the signing key. */
    public static final String PASSPHRASE = "signing key passphrase";

    /** Digest used in the signature; RFC 4880bis deprecates SHA-1 for signatures, so only SHA-2 is offered. */
    public enum Digest {
        SHA256(HashAlgorithmTags.SHA256), SHA512(HashAlgorithmTags.SHA512);

        final int tag;

        Digest(int tag) {
            this.tag = tag;
        }
    }

    private final PGPPublicKey signingKey;
    private final PGPPrivateKey privateKey;
    private final String primaryFingerprint;

    private OpenPgpSigner(PGPPublicKey signingKey, PGPPrivateKey privateKey, String primaryFingerprint) {
        this.signingKey = signingKey;
        this.privateKey = privateKey;
        this.primaryFingerprint = primaryFingerprint;
    }

    /**
     * Loads the first secret key ring in {@code keyFile} and unlocks its signing key with {@code passphrase}
     * (an empty array for an unprotected key). The caller should wipe the passphrase afterwards.
     */
    public static OpenPgpSigner load(Path keyFile, char[] passphrase) throws IOException {
        try (InputStream in = Files.newInputStream(keyFile)) {
            return load(in, passphrase, keyFile.toString());
        }
    }

    public static OpenPgpSigner load(InputStream keyStream, char[] passphrase, String source) throws IOException {
        PGPSecretKeyRing ring;
        try {
            PGPSecretKeyRingCollection rings = new PGPSecretKeyRingCollection(
                    PGPUtil.getDecoderStream(keyStream), new BcKeyFingerprintCalculator());
            Iterator<PGPSecretKeyRing> it = rings.getKeyRings();
            if (!it.hasNext()) {
                throw new InvalidInputException(source + ": no OpenPGP secret key found; export one with "
                        + "gpg --armor --export-secret-keys KEYID");
            }
            ring = it.next();
        } catch (PGPException | IOException | RuntimeException e) {
            if (e instanceof InvalidInputException iie) {
                throw iie;
            }
            throw new InvalidInputException(source + ": not an OpenPGP secret key (" + e.getMessage()
                    + "); export one with gpg --armor --export-secret-keys KEYID", e);
        }
        String primaryFpr = OpenPgpKeys.fingerprint(ring.getPublicKey());
        PGPSecretKey secret = pickSigningKey(ring);
        if (secret == null) {
            throw new InvalidInputException(source + ": key " + primaryFpr + " has no signing-capable (sub)key; "
                    + "use a key made for signing");
        }
        if (secret.isPrivateKeyEmpty()) {
            throw new InvalidInputException(source + ": key " + primaryFpr + " holds no secret material "
                    + "(stub or smartcard key); export the secret key itself");
        }
        try {
            PGPPrivateKey priv = secret.extractPrivateKey(
                    new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(passphrase));
            return new OpenPgpSigner(secret.getPublicKey(), priv, primaryFpr);
        } catch (PGPException e) {
            throw new InvalidInputException(source + ": cannot unlock key " + primaryFpr
                    + " (wrong passphrase?); check " + HydrapiException.mention(PASSPHRASE), e);
        }
    }

    /**
     * The passphrase stored in {@code file} ({@code --sign-passphrase-file}): its first line, without the line
     * end, as gpg's {@code --passphrase-file} reads it. Never take a passphrase as an argument: other users see
     * it in {@code ps}.
     */
    public static char[] readPassphrase(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw InvalidInputException.about(PASSPHRASE, file, "passphrase file not found");
        }
        try {
            java.nio.CharBuffer chars = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes));
            int end = 0;
            while (end < chars.length() && chars.charAt(end) != '\n' && chars.charAt(end) != '\r') {
                end++;
            }
            char[] out = new char[end];
            chars.get(out, 0, end);
            java.util.Arrays.fill(chars.array(), '\0');
            return out;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidInputException(file + ": passphrase file is not UTF-8; save it as UTF-8");
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The primary key's fingerprint, upper-case hex, no spaces. */
    public String fingerprint() {
        return primaryFingerprint;
    }

    /** The fingerprint of the (sub)key that actually signs. */
    public String signingKeyFingerprint() {
        return OpenPgpKeys.fingerprint(signingKey);
    }

    /** Writes {@code signatureOut} (conventionally {@code FILE.asc}) over the bytes of {@code file}. */
    public void signDetached(Path file, Path signatureOut, Instant created, Digest digest) throws IOException {
        byte[] armored = signDetached(file, created, digest);
        Files.write(signatureOut, armored);
    }

    /** The ASCII-armored detached signature of {@code file}. */
    public byte[] signDetached(Path file, Instant created, Digest digest) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return signDetached(in, created, digest);
        }
    }

    public byte[] signDetached(InputStream data, Instant created, Digest digest) throws IOException {
        try {
            PGPSignatureGenerator gen = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(signingKey.getAlgorithm(), digest.tag), signingKey);
            gen.init(PGPSignature.BINARY_DOCUMENT, privateKey);
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            // Set explicitly: left out, Bouncy Castle would insert the wall-clock time.
            hashed.setSignatureCreationTime(false, Date.from(effectiveCreationTime(created)));
            hashed.setIssuerFingerprint(false, signingKey);
            gen.setHashedSubpackets(hashed.generate());
            PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
            unhashed.setIssuerKeyID(false, signingKey.getKeyID());
            gen.setUnhashedSubpackets(unhashed.generate());
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = data.read(buf)) > 0) {
                gen.update(buf, 0, n);
            }
            PGPSignature sig = gen.generate();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (OutputStream armor = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
                sig.encode(armor);
            }
            return bytes.toByteArray();
        } catch (PGPException e) {
            throw new IOException("signing with key " + primaryFingerprint + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * {@code created}, or the signing key's creation time if that is later: gpg refuses a signature older
     * than its key ("public key … is N days newer than the signature", "Time conflict"), and a
     * {@code SOURCE_DATE_EPOCH} often predates the key. The result still depends only on the inputs.
     */
    public Instant effectiveCreationTime(Instant created) {
        Instant keyCreated = signingKey.getCreationTime().toInstant();
        Instant t = created.isBefore(keyCreated) ? keyCreated : created;
        return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** The primary key if its flags allow signing data, else the first subkey whose binding allows it. */
    private static PGPSecretKey pickSigningKey(PGPSecretKeyRing ring) {
        PGPSecretKey fallback = null;
        for (Iterator<PGPSecretKey> it = ring.getSecretKeys(); it.hasNext(); ) {
            PGPSecretKey k = it.next();
            Boolean flags = OpenPgpKeys.canSignData(k.getPublicKey());
            if (Boolean.TRUE.equals(flags) && !k.isPrivateKeyEmpty()) {
                return k;
            }
            // Keys older than RFC 4880's key flags: the primary signs (RFC 4880 §5.2.3.21 is a MAY).
            if (flags == null && k.isMasterKey() && k.isSigningKey()) {
                fallback = k;
            }
        }
        return fallback;
    }
}
