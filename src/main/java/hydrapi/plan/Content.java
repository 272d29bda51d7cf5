// SPDX-License-Identifier: Apache-2.0
package hydrapi.plan;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Where a planned file's bytes come from. */
public sealed interface Content permits Content.Bytes, Content.HostFile, Content.Edit {

    /** Bytes known now. */
    record Bytes(byte[] bytes) implements Content {
        public Bytes {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /** A file of the machine running hydrapi, read when the plan is applied. */
    record HostFile(Path path) implements Content {
    }

    /**
     * A change to the file already in the image: the function gets its current bytes and returns the new ones.
     * {@code description} says what it does, for summaries.
     */
    record Edit(String description, UnaryOperator<byte[]> change) implements Content {
    }
}
