// SPDX-License-Identifier: Apache-2.0
package hydrapi.trust;

import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;

import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;

/** Small helpers over Bouncy Castle public keys: fingerprints as text and the key-flags subpacket. */
final class OpenPgpKeys {

    private OpenPgpKeys() {
    }

    /** Upper-case hex without spaces, the form gpg prints after "using RSA key". */
    static String fingerprint(PGPPublicKey key) {
        return HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
    }

    /** Accepts "54C3 DD61 …", "0x54c3dd61…" and plain hex; returns the canonical form. */
    static String normalise(String fingerprint) {
        String s = fingerprint.replace(" ", "").toUpperCase(Locale.ROOT);
        return s.startsWith("0X") ? s.substring(2) : s;
    }

    /**
     * TRUE or FALSE from the key-flags subpacket (RFC 4880 §5.2.3.21) of the key's self or binding
     * signatures; null when none carries key flags.
     */
    static Boolean canSignData(PGPPublicKey key) {
        Boolean result = null;
        for (Iterator<PGPSignature> it = key.getSignatures(); it.hasNext(); ) {
            PGPSignature sig = it.next();
            int type = sig.getSignatureType();
            boolean self = type == PGPSignature.SUBKEY_BINDING || type == PGPSignature.POSITIVE_CERTIFICATION
                    || type == PGPSignature.CASUAL_CERTIFICATION || type == PGPSignature.NO_CERTIFICATION
                    || type == PGPSignature.DEFAULT_CERTIFICATION || type == PGPSignature.DIRECT_KEY;
            PGPSignatureSubpacketVector hashed = sig.getHashedSubPackets();
            if (!self || hashed == null || !hashed.hasSubpacket(SignatureSubpacketTags.KEY_FLAGS)) {
                continue;
            }
            if ((hashed.getKeyFlags() & KeyFlags.SIGN_DATA) != 0) {
                return Boolean.TRUE;
            }
            result = Boolean.FALSE;
        }
        return result;
    }
}
