// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.CorruptImageException;
import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.VerificationFailedException;

import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Checks detached OpenPGP signatures (armored or binary, RFC 4880 §11.4) over a file against a fixed set of
 * public keys, the way {@code gpg --verify SIG FILE} does with a dedicated keyring.
 *
 * <p>The keyring is the whole trust decision: a signature counts only if it verifies with one of its keys,
 * and, when an expected fingerprint is given, only if the signing key or its primary has that fingerprint.
 * Signatures over MD5, SHA-1 or RIPEMD-160 are refused (collision-prone digests; gpg 2.2 still accepts
 * SHA-1 data signatures, we do not).
 */
public final class OpenPgpVerifier {

    /** Raspberry Pi Downloads Signing Key of the images up to 2025-10-01 (docs/raspberry-pi-os.md, "Keys"). */
    public static final String RASPBERRY_PI_FINGERPRINT = "54C3DD610D9D1B4AF82A37758738CD6B956F460C";

    /** Its successor, announced in pi-gen's release notes of 2025-11-24, which signs the images from that day on. */
    public static final String RASPBERRY_PI_FINGERPRINT_2025 = "F4AADD86C4687D69AE04543E796C114AD12B2292";

    /** The keys a base may be signed by to be Raspberry Pi's, with what each signs, oldest first. */
    public static final Map<String, String> RASPBERRY_PI_KEYS = Map.of(
            RASPBERRY_PI_FINGERPRINT, "Raspberry Pi Downloads Signing Key, images up to 2025-10-01",
            RASPBERRY_PI_FINGERPRINT_2025, "Raspberry Pi Downloads Signing Key, images from 2025-11-24");

    /** What a signer is, when it is one of Raspberry Pi's keys. */
    public static java.util.Optional<String> raspberryPiKey(String fingerprint) {
        return java.util.Optional.ofNullable(fingerprint == null ? null
                : RASPBERRY_PI_KEYS.get(OpenPgpKeys.normalise(fingerprint)));
    }

    /** Classpath location of the shipped Raspberry Pi public key (absent if none could be obtained). */
    public static final String RASPBERRY_PI_KEY_RESOURCE = "/hydrapi/trust/raspberrypi_downloads.asc";

    private final PGPPublicKeyRingCollection keys;
    private final String source;

    private OpenPgpVerifier(PGPPublicKeyRingCollection keys, String source) {
        this.keys = keys;
        this.source = source;
    }

    /** Public keys from an armored or binary keyring file ({@code gpg --export [--armor]}). */
    public static OpenPgpVerifier load(Path keyring) throws IOException {
        return load(keyring, null);
    }

    /**
     * As {@link #load(Path)}, for a file the user gave as {@code input} (e.g. {@link BasePolicy#KEY}), which refusals
     * name: the same loader serves inputs of different commands.
     */
    public static OpenPgpVerifier load(Path keyring, String input) throws IOException {
        try (InputStream in = Files.newInputStream(keyring)) {
            return load(in, keyring.toString(), input);
        } catch (NoSuchFileException e) {
            throw InvalidInputException.about(input, keyring, "public key file not found");
        }
    }

    public static OpenPgpVerifier load(InputStream keyring, String source) throws IOException {
        return load(keyring, source, null);
    }

    private static OpenPgpVerifier load(InputStream keyring, String source, String input) throws IOException {
        PGPPublicKeyRingCollection keys;
        try {
            keys = new PGPPublicKeyRingCollection(PGPUtil.getDecoderStream(keyring), new BcKeyFingerprintCalculator());
        } catch (PGPException | IOException | RuntimeException e) {
            throw InvalidInputException.about(input, source, "not an OpenPGP public keyring (" + e.getMessage()
                    + "); export one with gpg --armor --export KEYID", e);
        }
        if (keys.size() == 0) {
            throw InvalidInputException.about(input, source, "holds no OpenPGP public key; export one with "
                    + "gpg --armor --export KEYID");
        }
        return new OpenPgpVerifier(keys, source);
    }

    /**
     * Where Raspberry Pi publish their public key (their "Verifying downloads" page); its fingerprint must be
     * {@link #RASPBERRY_PI_FINGERPRINT} before it is trusted.
     */
    public static final String RASPBERRY_PI_KEY_URL = "https://www.raspberrypi.org/raspberrypi_downloads.gpg.key";

    /** How to obtain the key when this build ships none: one sentence for refusals. */
    public static final String HOW_TO_GET_THE_KEY = "get Raspberry Pi's key from " + RASPBERRY_PI_KEY_URL
            + ", check that gpg --show-keys prints fingerprint " + RASPBERRY_PI_FINGERPRINT + " (images up to"
            + " 2025-10-01) or " + RASPBERRY_PI_FINGERPRINT_2025 + " (from 2025-11-24), and pass it with "
            + HydrapiException.mention(BasePolicy.KEY) + " FILE";

    /**
     * The Raspberry Pi Downloads Signing Key shipped in the jar.
     *
     * @throws InvalidInputException if this build ships no such key; give the base key instead
     */
    public static OpenPgpVerifier raspberryPi() throws IOException {
        return raspberryPiIfShipped().orElseThrow(() -> new InvalidInputException(
                "this hydrapi build ships no Raspberry Pi signing key; " + HOW_TO_GET_THE_KEY + " (or "
                        + HydrapiException.mention(BasePolicy.INSECURE) + ")"));
    }

    /** The shipped Raspberry Pi key, or empty when this build ships none (it could not be obtained and verified). */
    public static java.util.Optional<OpenPgpVerifier> raspberryPiIfShipped() throws IOException {
        InputStream in = OpenPgpVerifier.class.getResourceAsStream(RASPBERRY_PI_KEY_RESOURCE);
        if (in == null) {
            return java.util.Optional.empty();
        }
        try (in) {
            return java.util.Optional.of(load(in, "built-in Raspberry Pi key"));
        }
    }

    /** Fingerprints of the primary keys in this keyring, upper-case hex. */
    public List<String> fingerprints() {
        List<String> out = new ArrayList<>();
        for (Iterator<PGPPublicKeyRing> it = keys.getKeyRings(); it.hasNext(); ) {
            out.add(OpenPgpKeys.fingerprint(it.next().getPublicKey()));
        }
        return out;
    }

    /** A good signature: who made it and when (the signer's claim, from the hashed subpackets). */
    public record Verified(String primaryFingerprint, String signingKeyFingerprint, Instant created) {
    }

    public Verified verify(Path file, Path signature, String expectedFingerprint) throws IOException {
        return verify(file, signature, expectedFingerprint, null);
    }

    /**
     * Verifies {@code signature} over {@code file}.
     *
     * @param expectedFingerprint the primary or signing key fingerprint that must have signed (spaces and a
     *                            0x prefix allowed), or null for any key of this keyring
     * @param progress            bytes of {@code file} hashed so far, or null
     */
    public Verified verify(Path file, Path signature, String expectedFingerprint, LongConsumer progress)
            throws IOException {
        Pending pending = begin(signature, expectedFingerprint);
        byte[] buf = new byte[1 << 20];
        long done = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                pending.update(buf, 0, n);
                done += n;
                if (progress != null) {
                    progress.accept(done);
                }
            }
        }
        return pending.finish(file);
    }

    /**
     * Reads {@code signature} and picks the signature to check, refusing before any data is read what no
     * data could make good: a missing signature, an unknown or unexpected key, a broken digest, a revoked or
     * expired key. The caller feeds the signed bytes to the returned {@link Pending}, so a file can be hashed
     * and signature-checked in one pass.
     */
    public Pending begin(Path signature, String expectedFingerprint) throws IOException {
        return begin(signature, expectedFingerprint == null ? List.of() : List.of(expectedFingerprint));
    }

    /** As {@link #begin(Path, String)}, with any of {@code expectedFingerprints} (empty: any key of the keyring). */
    public Pending begin(Path signature, java.util.Collection<String> expectedFingerprints) throws IOException {
        try {
            return choose(signature, expectedFingerprints);
        } catch (RuntimeException e) {
            // Bouncy Castle parses subpackets lazily: a malformed one (a key expiration time of the wrong length, a
            // fuzz finding) surfaces as an unchecked exception from an accessor, long after the keyring was read.
            throw new CorruptImageException(signature + ": the signature or its key in " + source + " is malformed ("
                    + e.getMessage() + "); fetch both again", e);
        }
    }

    private Pending choose(Path signature, java.util.Collection<String> expectedFingerprints) throws IOException {
        if (!Files.exists(signature)) {
            throw new VerificationFailedException(signature + ": signature missing; fetch it beside the file");
        }
        List<PGPSignature> sigs = readSignatures(signature);
        java.util.Set<String> expected = new java.util.TreeSet<>();
        for (String f : expectedFingerprints) {
            expected.add(OpenPgpKeys.normalise(f));
        }

        // Pick the first signature whose issuer is in the keyring (and is the expected key, if one is set).
        PGPSignature chosen = null;
        PGPPublicKey key = null;
        PGPPublicKeyRing ring = null;
        List<String> issuers = new ArrayList<>();
        for (PGPSignature sig : sigs) {
            long keyId = sig.getKeyID();
            issuers.add(String.format("%016X", keyId));
            PGPPublicKeyRing r = keys.getPublicKeyRing(keyId);
            if (r == null) {
                continue;
            }
            PGPPublicKey k = r.getPublicKey(keyId);
            String primary = OpenPgpKeys.fingerprint(r.getPublicKey());
            if (!expected.isEmpty() && !expected.contains(primary) && !expected.contains(OpenPgpKeys.fingerprint(k))) {
                continue;
            }
            chosen = sig;
            key = k;
            ring = r;
            break;
        }
        if (chosen == null) {
            throw new VerificationFailedException(signature + ": signed by key " + String.join(",", issuers)
                    + ", not by " + (!expected.isEmpty() ? String.join(" or ", expected) : "a key in " + source)
                    + "; the file is not from who you expect, or pass the right key");
        }
        String primaryFpr = OpenPgpKeys.fingerprint(ring.getPublicKey());
        int hash = chosen.getHashAlgorithm();
        if (hash == HashAlgorithmTags.MD5 || hash == HashAlgorithmTags.SHA1 || hash == HashAlgorithmTags.RIPEMD160) {
            throw new VerificationFailedException(signature + ": signature by " + primaryFpr
                    + " uses a broken digest (algorithm " + hash + "); ask the signer for a SHA-2 signature");
        }
        int type = chosen.getSignatureType();
        if (type != PGPSignature.BINARY_DOCUMENT && type != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
            throw new CorruptImageException(signature + ": signature type 0x" + Integer.toHexString(type)
                    + " is not a document signature; expected a detached signature (gpg --detach-sign)");
        }
        Instant created = chosen.getCreationTime().toInstant();
        if (key.hasRevocation() || ring.getPublicKey().hasRevocation()) {
            throw new VerificationFailedException(signature + ": key " + primaryFpr + " is revoked in "
                    + source + "; get the signer's current key");
        }
        long validSeconds = key.getValidSeconds();
        if (validSeconds > 0 && created.isAfter(key.getCreationTime().toInstant().plusSeconds(validSeconds))) {
            throw new VerificationFailedException(signature + ": made " + created + ", after key "
                    + OpenPgpKeys.fingerprint(key) + " expired; get the signer's current key and signature");
        }
        try {
            chosen.init(new BcPGPContentVerifierBuilderProvider(), key);
        } catch (PGPException | RuntimeException e) {
            throw new CorruptImageException(signature + ": cannot check the signature by " + primaryFpr
                    + " (" + e.getMessage() + "); fetch the signature again", e);
        }
        return new Pending(chosen, signature, primaryFpr, OpenPgpKeys.fingerprint(key), created);
    }

    /** One chosen signature being fed the bytes it signs. */
    public static final class Pending {
        private final PGPSignature sig;
        private final Path signature;
        private final String primaryFpr;
        private final String signingFpr;
        private final Instant created;

        private Pending(PGPSignature sig, Path signature, String primaryFpr, String signingFpr, Instant created) {
            this.sig = sig;
            this.signature = signature;
            this.primaryFpr = primaryFpr;
            this.signingFpr = signingFpr;
            this.created = created;
        }

        public void update(byte[] b, int off, int len) {
            sig.update(b, off, len);
        }

        /** Whether the bytes fed match; {@code file} names them in the message. */
        public Verified finish(Path file) throws IOException {
            boolean ok;
            try {
                ok = sig.verify();
            } catch (PGPException | RuntimeException e) {
                throw new CorruptImageException(signature + ": cannot check the signature by " + primaryFpr
                        + " (" + e.getMessage() + "); fetch the signature again", e);
            }
            if (!ok) {
                throw new VerificationFailedException(file + ": BAD signature by key " + primaryFpr
                        + " in " + signature.getFileName() + "; the file was changed or damaged, fetch it again");
            }
            return new Verified(primaryFpr, signingFpr, created);
        }
    }

    private static List<PGPSignature> readSignatures(Path signature) throws IOException {
        List<PGPSignature> out = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(signature))) {
            BcPGPObjectFactory factory = new BcPGPObjectFactory(in);
            Object o;
            while ((o = factory.nextObject()) != null) {
                if (o instanceof PGPSignatureList list) {
                    for (PGPSignature s : list) {
                        out.add(s);
                    }
                } else {
                    throw new CorruptImageException(signature + ": holds " + o.getClass().getSimpleName()
                            + ", not a detached signature; expected the output of gpg --detach-sign");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof CorruptImageException c) {
                throw c;
            }
            throw new CorruptImageException(signature + ": not an OpenPGP signature (" + e.getMessage()
                    + "); fetch it again", e);
        }
        if (out.isEmpty()) {
            throw new CorruptImageException(signature + ": holds no OpenPGP signature; fetch it again");
        }
        return out;
    }
}
