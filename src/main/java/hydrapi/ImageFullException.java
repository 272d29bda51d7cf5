// SPDX-License-Identifier: Apache-2.0
package hydrapi;

/** A filesystem in the image has no room for what was asked. */
public final class ImageFullException extends HydrapiException {

    private static final long serialVersionUID = 1L;

    public ImageFullException(String message) {
        super(message);
    }

    public ImageFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
