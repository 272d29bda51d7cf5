// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import java.util.List;

/**
 * Whom a base image must come from: the keys its {@code .sig} is checked with, and whether the user accepted an
 * unsigned or mis-signed base with {@code --insecure}.
 *
 * @param keys         the keyring for {@code .sig} files: the shipped Raspberry Pi key or {@code --base-key}; null
 *                     when neither is available (then a signed base is refused unless {@code insecure})
 * @param fingerprints the primary keys one of which must have signed, e.g. {@link OpenPgpVerifier#RASPBERRY_PI_KEYS}
 *                     for the shipped keys; empty to accept any key of {@code keys} (a {@code --base-key} file is the
 *                     user's whole trust decision)
 */
public record BasePolicy(OpenPgpVerifier keys, List<String> fingerprints, boolean insecure) {

    /** The inputs messages name ({@link hydrapi.HydrapiException#mention}): the key file, and {@code insecure}. */
    public static final String KEY = "base key";
    public static final String INSECURE = "insecure";

    public BasePolicy {
        fingerprints = List.copyOf(fingerprints);
    }
}
