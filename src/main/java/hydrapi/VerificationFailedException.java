// SPDX-License-Identifier: Apache-2.0
package hydrapi;

/** A check ran and found a mismatch (like sha256sum -c failing). */
public final class VerificationFailedException extends HydrapiException {

    private static final long serialVersionUID = 1L;

    public VerificationFailedException(String message) {
        super(message);
    }

    public VerificationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
