// SPDX-License-Identifier: Apache-2.0
package hydrapi;

/** The image is damaged: wrong magic, bad checksum, truncated data. */
public final class CorruptImageException extends HydrapiException {

    private static final long serialVersionUID = 1L;

    public CorruptImageException(String message) {
        super(message);
    }

    public CorruptImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
