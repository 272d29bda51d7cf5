// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.CorruptImageException;
import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.VerificationFailedException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Checks a base image the way raspberry-pi-os-image.md §3 says to: {@code sha256sum -c X.img.xz.sha256} and
 * {@code gpg --verify X.img.xz.sig X.img.xz}, with the sidecars beside the image, in one read of the file (the
 * SHA-256 and the signature digest are fed the same buffer; an official image is half a gigabyte).
 *
 * <p>A wrong SHA-256 is always refused as corrupt: the bytes are damaged whoever signed them. A signature is
 * required of a downloaded base; a local base without a {@code .sig} is accepted as {@code unsigned} (users build
 * from images they made themselves). A present signature that is bad, by another key, or that no key was given to
 * check is refused unless {@code insecure}; the returned {@link BuildManifest.Base} records which case applied.
 */
public final class BaseImageCheck {

    /**
     * The base's provenance, and whether its bytes were confirmed by a sidecar hash, the OS list's hash or a good
     * signature (else only the container's own checks, such as xz's block CRCs, vouch for them).
     */
    public record Outcome(BuildManifest.Base base, boolean contentChecked) {
    }

    private BaseImageCheck() {
    }

    /**
     * @param url            where the image came from, for the manifest; null for a local file
     * @param expectedSha256 a hash from another source (os_list {@code image_download_sha256}), or null
     * @param downloaded     whether the image was downloaded, so a signature is required
     * @param progress       bytes read so far, or null
     */
    public static Outcome check(Path image, String url, String expectedSha256, boolean downloaded,
                                BasePolicy policy, LongConsumer progress) throws IOException {
        String name = image.getFileName().toString();
        Path sidecar = image.resolveSibling(name + ".sha256");
        Sha256Sums.Entry listed = Files.isRegularFile(sidecar) ? Sha256Sums.read(sidecar) : null;
        Path sig = image.resolveSibling(name + ".sig");

        BuildManifest.SignatureStatus status;
        OpenPgpVerifier.Pending pending = null;
        if (!Files.exists(sig)) {
            if (downloaded && !policy.insecure()) {
                throw new VerificationFailedException(image + ": no signature " + sig.getFileName()
                        + " was published beside it; pass " + HydrapiException.mention(BasePolicy.INSECURE)
                        + " to use it unsigned");
            }
            status = downloaded ? BuildManifest.SignatureStatus.UNSIGNED_INSECURE
                    : BuildManifest.SignatureStatus.UNSIGNED;
        } else if (policy.keys() == null) {
            if (!policy.insecure()) {
                throw new InvalidInputException(sig + ": cannot be checked, this hydrapi build ships no Raspberry Pi"
                        + " key; " + OpenPgpVerifier.HOW_TO_GET_THE_KEY + " (or "
                        + HydrapiException.mention(BasePolicy.INSECURE) + ")");
            }
            status = BuildManifest.SignatureStatus.UNCHECKED_INSECURE;
        } else {
            try {
                pending = policy.keys().begin(sig, policy.fingerprints());
                status = BuildManifest.SignatureStatus.VERIFIED;
            } catch (VerificationFailedException | CorruptImageException e) {
                if (!policy.insecure()) {
                    throw e;
                }
                status = BuildManifest.SignatureStatus.BAD_SIGNATURE_INSECURE;
            }
        }

        String actual = read(image, pending, progress);
        boolean hashChecked = false;
        if (listed != null) {
            if (!listed.hex().equals(actual)) {
                throw new CorruptImageException(image + ": SHA-256 " + actual + " differs from "
                        + sidecar.getFileName() + " (" + listed.hex() + "); the image is damaged, fetch it again");
            }
            hashChecked = true;
        }
        if (expectedSha256 != null) {
            if (!expectedSha256.toLowerCase(Locale.ROOT).equals(actual)) {
                throw new CorruptImageException(image + ": SHA-256 " + actual + " differs from the OS list's ("
                        + expectedSha256 + "); the image is damaged, fetch it again");
            }
            hashChecked = true;
        }
        String signer = null;
        if (pending != null) {
            try {
                signer = pending.finish(image).primaryFingerprint();
            } catch (VerificationFailedException | CorruptImageException e) {
                if (!policy.insecure()) {
                    throw e;
                }
                status = BuildManifest.SignatureStatus.BAD_SIGNATURE_INSECURE;
            }
        }
        return new Outcome(new BuildManifest.Base(name, url, actual, status, signer),
                hashChecked || signer != null);
    }

    /** One pass over the file: its SHA-256, and the signature digest when one is being checked. */
    private static String read(Path image, OpenPgpVerifier.Pending pending, LongConsumer progress)
            throws IOException {
        MessageDigest md = Sha256Sums.newDigest();
        byte[] buf = new byte[1 << 20];
        long done = 0;
        try (InputStream in = Files.newInputStream(image)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                if (pending != null) {
                    pending.update(buf, 0, n);
                }
                done += n;
                if (progress != null) {
                    progress.accept(done);
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
