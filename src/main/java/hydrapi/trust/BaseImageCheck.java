// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import hydrapi.CorruptImageException;
import hydrapi.VerificationFailedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Checks an official base image the way raspberry-pi-os-image.md §3 says to: {@code sha256sum -c X.img.xz.sha256}
 * and {@code gpg --verify X.img.xz.sig X.img.xz}, with the sidecars beside the image. A wrong SHA-256 is always
 * refused (the file is damaged); a missing or bad signature is refused unless {@code insecure}, and the
 * returned {@link BuildManifest.Base} then records which.
 */
public final class BaseImageCheck {

    private BaseImageCheck() {
    }

    /**
     * @param url            where the image came from, for the manifest; null for a local file
     * @param expectedSha256 a hash from another source (os_list {@code image_download_sha256}), or null
     * @param keys           the keyring to check {@code IMAGE.sig} with (e.g. {@link OpenPgpVerifier#raspberryPi()})
     * @param fingerprint    the key that must have signed, e.g. {@link OpenPgpVerifier#RASPBERRY_PI_FINGERPRINT},
     *                       or null for any key in {@code keys}
     */
    public static BuildManifest.Base check(Path image, String url, String expectedSha256, OpenPgpVerifier keys,
                                           String fingerprint, boolean insecure) throws IOException {
        String name = image.getFileName().toString();
        String actual = Sha256Sums.hash(image, null);
        Path sidecar = image.resolveSibling(name + ".sha256");
        if (Files.exists(sidecar)) {
            Sha256Sums.Entry e = Sha256Sums.read(sidecar);
            if (!e.hex().equals(actual)) {
                throw new VerificationFailedException(image + ": SHA-256 " + actual + " does not match "
                        + sidecar.getFileName() + " (" + e.hex() + "); the download is damaged, delete it and "
                        + "fetch again");
            }
        }
        if (expectedSha256 != null && !expectedSha256.toLowerCase(Locale.ROOT).equals(actual)) {
            throw new VerificationFailedException(image + ": SHA-256 " + actual + " does not match the OS list ("
                    + expectedSha256 + "); the download is damaged, delete it and fetch again");
        }
        Path sig = image.resolveSibling(name + ".sig");
        if (!Files.exists(sig)) {
            if (!insecure) {
                throw new VerificationFailedException(image + ": no signature " + sig.getFileName()
                        + " beside it; put Raspberry Pi's .sig there, or pass --insecure to use it unsigned");
            }
            return new BuildManifest.Base(name, url, actual, BuildManifest.SignatureStatus.UNSIGNED_INSECURE, null);
        }
        try {
            OpenPgpVerifier.Verified v = keys.verify(image, sig, fingerprint);
            return new BuildManifest.Base(name, url, actual, BuildManifest.SignatureStatus.VERIFIED,
                    v.primaryFingerprint());
        } catch (VerificationFailedException | CorruptImageException e) {
            if (!insecure) {
                throw e;
            }
            return new BuildManifest.Base(name, url, actual, BuildManifest.SignatureStatus.BAD_SIGNATURE_INSECURE,
                    null);
        }
    }
}
