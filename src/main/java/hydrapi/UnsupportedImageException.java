// SPDX-License-Identifier: Apache-2.0
package hydrapi;

/** The image is valid but uses something hydrapi does not handle (GPT, a refused ext4 feature). */
public final class UnsupportedImageException extends HydrapiException {

    private static final long serialVersionUID = 1L;

    public UnsupportedImageException(String message) {
        super(message);
    }

    public UnsupportedImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
