// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.recipe.Recipe;
import hydrapi.source.BaseSource;
import hydrapi.trust.BasePolicy;
import hydrapi.trust.OpenPgpSigner;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Everything one build depends on. {@code base} is a local file, a URL or the latest Lite image of an OS list;
 * {@code basePolicy} says which keys its signature is checked with and whether {@code --insecure} was given.
 * {@code now} is the single clock of the build (SOURCE_DATE_EPOCH when set): every timestamp written into the image
 * comes from it. {@code recipes} run in the order given ({@link Recipe}): those below the overlays first, then the
 * user's {@code overlays}, then those above them; none for a plain customisation. {@code cacheDir} holds downloads
 * (a base URL, sources a recipe fetches). {@code signer}, when set, writes detached ASCII-armored signatures
 * {@code OUT.asc} of the image and {@code OUT.manifest.json.asc} of the build manifest. {@code imagerManifest}, when
 * set, gets a Raspberry Pi Imager os_list entry for the image named {@code imagerName} (default: the image's file
 * name), published at {@code imagerUrl} (default: the image's file name). {@code blockCache}: compressed blocks are
 * looked up in and stored to a cache under {@code cacheDir} ({@code xz-blocks/}), so a later build recompresses only
 * what changed; the output is the same without it.
 */
public record BuildRequest(BaseSource base, BasePolicy basePolicy, Path out, List<Path> overlays,
                           List<Recipe> recipes, int threads, int xzBlockBytes, int xzPreset, Instant now,
                           Path scratchDir, Path cacheDir, OpenPgpSigner signer, Path imagerManifest,
                           String imagerName, String imagerUrl, boolean blockCache) {

    /** The inputs refusals name ({@link hydrapi.InvalidInputException#input()}). */
    public static final String OUTPUT = "output";
    public static final String THREADS = "threads";
    public static final String IMAGER_MANIFEST = "Imager manifest";

    public BuildRequest {
        overlays = List.copyOf(overlays);
        recipes = List.copyOf(recipes);
    }
}
