// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.trust.BuildManifest;

import java.nio.file.Path;
import java.util.List;

/**
 * What a build wrote: the files (signature files null when unsigned), the image's digest, the base's provenance
 * as the manifest records it, the changes applied and the xz layout: of {@code xzBlocks}, {@code xzReusedBlocks} were
 * copied from the base and {@code xzRecompressedBlocks} compressed anew ({@code xzZeroBlocks} of those all zeros,
 * {@code xzCachedBlocks} of them found in the compressed-block cache instead).
 */
public record BuildResult(Path image, Path sha256File, Path signatureFile, Path manifestFile,
                          Path manifestSignatureFile, String sha256, BuildManifest.Base base, long compressedBytes,
                          long uncompressedBytes, int xzBlocks, int xzZeroBlocks, int xzReusedBlocks,
                          int xzRecompressedBlocks, int xzCachedBlocks, List<Change> changes, long changedBytes,
                          int changedRanges, String firstBoot) {

    public BuildResult {
        changes = List.copyOf(changes);
    }

    /** One path the build changed and how ("created", "replaced", "edited", "mkdir"). */
    public record Change(String path, String action, long sizeBytes) {
    }
}
