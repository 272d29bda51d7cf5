// SPDX-License-Identifier: Apache-2.0
package hydrapi.build;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Everything one build depends on. {@code now} is the single clock of the build (SOURCE_DATE_EPOCH when set):
 * every timestamp written into the image comes from it.
 */
public record BuildRequest(Path base, Path out, List<Path> overlays, boolean ssh, List<String> cmdlineAppend,
                           int threads, int xzBlockBytes, int xzPreset, Instant now, Path scratchDir) {

    public BuildRequest {
        overlays = List.copyOf(overlays);
        cmdlineAppend = List.copyOf(cmdlineAppend);
    }
}
