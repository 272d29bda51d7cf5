// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.recipe.HeadlessSettings;
import hydrapi.recipe.HydraOptions;
import hydrapi.source.BaseSource;
import hydrapi.source.SourceRequest;
import hydrapi.trust.BasePolicy;
import hydrapi.trust.OpenPgpSigner;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Everything one build depends on. {@code base} is a local file, a URL or the latest Lite image of an OS list;
 * {@code basePolicy} says which keys its signature is checked with and whether {@code --insecure} was given.
 * {@code now} is the single clock of the build (SOURCE_DATE_EPOCH when set): every timestamp written into the image
 * comes from it. {@code hydra} is null for a plain customisation (overlays, ssh, cmdline only); when set, the Hydra
 * server recipe (accounts, first boot) is applied first and overlays on top. {@code sources} names the pin's source
 * tarballs, which the build checks and puts into the image, downloading into {@code cacheDir} (as a base URL is) what
 * is not local. {@code signer}, when
 * set, writes detached ASCII-armored signatures {@code OUT.asc} of the image and {@code OUT.manifest.json.asc} of
 * the build manifest. {@code imagerManifest}, when set, gets a Raspberry Pi Imager os_list entry for the image,
 * published at {@code imagerUrl} (default: the image's file name). {@code headless} are the Wi-Fi, country, time
 * zone and locale settings ({@link HeadlessSettings#NONE} for none), applied with or without the Hydra recipe.
 * {@code blockCache}: compressed blocks are looked up in and stored to a cache under {@code cacheDir}
 * ({@code xz-blocks/}), so a later build recompresses only what changed; the output is the same without it.
 */
public record BuildRequest(BaseSource base, BasePolicy basePolicy, Path out, List<Path> overlays, boolean ssh,
                           List<String> cmdlineAppend, int threads, int xzBlockBytes, int xzPreset, Instant now,
                           Path scratchDir, HydraOptions hydra, SourceRequest sources, Path cacheDir,
                           OpenPgpSigner signer, Path imagerManifest, String imagerUrl, HeadlessSettings headless,
                           boolean blockCache) {

    /** The inputs refusals name ({@link hydrapi.InvalidInputException#input()}). */
    public static final String OUTPUT = "output";
    public static final String THREADS = "threads";
    public static final String IMAGER_MANIFEST = "Imager manifest";

    public BuildRequest {
        overlays = List.copyOf(overlays);
        cmdlineAppend = List.copyOf(cmdlineAppend);
        java.util.Objects.requireNonNull(headless, "headless");
    }
}
