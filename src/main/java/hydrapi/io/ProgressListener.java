// SPDX-License-Identifier: Apache-2.0
package hydrapi.io;

import java.util.function.LongConsumer;

/** Receives progress of long phases (decoding, compressing, hashing) in bytes; the CLI draws it. */
public interface ProgressListener {

    ProgressListener NONE = (name, total) -> done -> { };

    /** Starts a phase of {@code totalBytes} (0 if unknown); the consumer gets bytes done so far. */
    LongConsumer phase(String name, long totalBytes);
}
