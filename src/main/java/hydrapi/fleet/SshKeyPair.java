// SPDX-License-Identifier: Apache-2.0
package hydrapi.fleet;

import hydrapi.InvalidInputException;

import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * An Ed25519 SSH key pair in OpenSSH's own file formats: the private key as {@code ssh-keygen} writes it (PROTOCOL.key,
 * "openssh-key-v1", unencrypted, PEM-armoured) and the public key as one {@code authorized_keys} line. Bouncy Castle
 * encodes both blobs; OpenSSH's ssh-keygen reads them (the tests use it as the oracle).
 */
public record SshKeyPair(String privateKey, String publicKey) {

    private static final String BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private static final String END = "-----END OPENSSH PRIVATE KEY-----";

    /** A new pair; {@code comment} ends the public line (ssh-keygen's {@code -C}). */
    public static SshKeyPair generate(SecureRandom random, String comment) {
        Ed25519PrivateKeyParameters sk = new Ed25519PrivateKeyParameters(random);
        byte[] blob;
        try {
            blob = OpenSSHPrivateKeyUtil.encodePrivateKey(sk);
        } catch (IOException e) {
            throw new IllegalStateException("Bouncy Castle cannot encode an Ed25519 key", e);
        }
        // ssh-keygen wraps the base64 at 70 columns (sshkey.c, sshkey_private_to_blob2 via sshbuf_dtob64).
        String b64 = Base64.getEncoder().encodeToString(blob);
        StringBuilder pem = new StringBuilder(BEGIN).append('\n');
        for (int i = 0; i < b64.length(); i += 70) {
            pem.append(b64, i, Math.min(b64.length(), i + 70)).append('\n');
        }
        pem.append(END).append('\n');
        return new SshKeyPair(pem.toString(), publicLine(sk.generatePublicKey(), comment));
    }

    /**
     * Checks that {@code privateKey} is an unencrypted OpenSSH Ed25519 key whose public half is the one of
     * {@code publicKey}; {@code where} names the files for the refusal.
     */
    public static SshKeyPair check(String privateKey, String publicKey, String where) throws InvalidInputException {
        AsymmetricKeyParameter parsed;
        try {
            String body = privateKey.strip();
            if (!body.startsWith(BEGIN) || !body.endsWith(END)) {
                throw new IllegalArgumentException("not an OpenSSH private key");
            }
            String b64 = body.substring(BEGIN.length(), body.length() - END.length()).replaceAll("\\s", "");
            parsed = OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(Base64.getDecoder().decode(b64));
        } catch (RuntimeException e) {
            throw new InvalidInputException(where + ": not an unencrypted OpenSSH private key (" + e.getMessage()
                    + "); make the fleet again with fleet init");
        }
        if (!(parsed instanceof Ed25519PrivateKeyParameters sk)) {
            throw new InvalidInputException(where + ": not an Ed25519 key; make the fleet again with fleet init");
        }
        byte[] expected = sk.generatePublicKey().getEncoded();
        String[] fields = publicKey.strip().split(" ");
        byte[] given;
        try {
            given = fields.length >= 2 && fields[0].equals("ssh-ed25519")
                    ? ((Ed25519PublicKeyParameters) OpenSSHPublicKeyUtil.parsePublicKey(
                            Base64.getDecoder().decode(fields[1]))).getEncoded()
                    : null;
        } catch (RuntimeException e) {
            given = null;
        }
        if (given == null || !Arrays.equals(expected, given)) {
            throw new InvalidInputException(where + ": the public key is not the private key's; make the fleet"
                    + " again with fleet init");
        }
        return new SshKeyPair(privateKey, publicKey);
    }

    private static String publicLine(Ed25519PublicKeyParameters pk, String comment) {
        try {
            return "ssh-ed25519 " + Base64.getEncoder().encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(pk))
                    + (comment == null || comment.isEmpty() ? "" : " " + comment) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("Bouncy Castle cannot encode an Ed25519 key", e);
        }
    }
}
