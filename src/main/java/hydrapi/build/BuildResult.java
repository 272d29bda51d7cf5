// SPDX-License-Identifier: Apache-2.0
package hydrapi.build;

import java.nio.file.Path;
import java.util.List;

/** What a build wrote: the files, their digest, the changes applied and the xz layout. */
public record BuildResult(Path image, Path sha256File, Path signatureFile, String sha256, long compressedBytes,
                          long uncompressedBytes, int xzBlocks, int xzZeroBlocks, int xzReusedBlocks,
                          List<Change> changes,
                          long changedBytes, int changedRanges) {

    public BuildResult {
        changes = List.copyOf(changes);
    }

    /** One path the build changed and how ("created", "replaced", "edited", "mkdir"). */
    public record Change(String path, String action, long sizeBytes) {
    }
}
