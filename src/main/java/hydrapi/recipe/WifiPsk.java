// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The WPA2 pre-shared key a passphrase stands for: PBKDF2-HMAC-SHA1 of the passphrase, salted with the SSID, 4096
 * iterations, 256 bits (IEEE 802.11i-2004 Annex H.4; RFC 2898 §5.2), what wpa_passphrase prints as {@code psk=}.
 * The image holds only this key, never the passphrase. Written out here rather than through PBEKeySpec, whose
 * char[] password cannot carry the passphrase's exact bytes.
 */
public final class WifiPsk {

    private WifiPsk() {
    }

    /** 64 lower-case hex digits. */
    public static String derive(byte[] passphrase, byte[] ssid) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(passphrase, "HmacSHA1"));
            byte[] out = new byte[32];
            for (int block = 1; block * 20 - 20 < out.length; block++) {
                byte[] t = f(mac, ssid, block);
                System.arraycopy(t, 0, out, (block - 1) * 20, Math.min(20, out.length - (block - 1) * 20));
            }
            return HexFormat.of().formatHex(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK without HmacSHA1", e);
        }
    }

    public static String derive(String passphrase, String ssid) {
        return derive(passphrase.getBytes(StandardCharsets.UTF_8), ssid.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 2898 F(P, S, c, i): U1 = PRF(P, S || INT(i)), Uj = PRF(P, Uj-1), XOR of all 4096. */
    private static byte[] f(Mac mac, byte[] salt, int block) {
        mac.update(salt);
        mac.update(new byte[] {(byte) (block >>> 24), (byte) (block >>> 16), (byte) (block >>> 8), (byte) block});
        byte[] u = mac.doFinal();
        byte[] t = u.clone();
        for (int j = 1; j < 4096; j++) {
            u = mac.doFinal(u);
            for (int k = 0; k < t.length; k++) {
                t[k] ^= u[k];
            }
        }
        return t;
    }
}
