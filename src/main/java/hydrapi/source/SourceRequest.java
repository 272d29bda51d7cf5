// SPDX-License-Identifier: Apache-2.0
package hydrapi.source;

import java.util.Map;

/**
 * The pinned sources as the user named them, before the build resolves them: each a local file (for CPAN a directory
 * of Name-Version.tar.gz) or an http(s) URL (for CPAN a mirror's authors/id), or null for the pin's own download
 * location. Hashes override the pin's: {@code nixHash} the tarball's SHA-256, {@code hydraHash} the unpacked tree's NAR
 * hash, {@code cpanHashes} file name to SHA-256 of replacement distributions. With {@code onPi} nothing not given is
 * downloaded by the build: the Pi fetches it on first boot and checks the same hashes.
 */
public record SourceRequest(String hydra, String hydraHash, String nix, String nixHash, String cpan,
                            Map<String, String> cpanHashes, boolean onPi) {

    public static final SourceRequest NONE = new SourceRequest(null, null, null, null, null, Map.of(), false);

    /** The input refusals of {@code hydraHash} name ({@link hydrapi.InvalidInputException#input()}). */
    public static final String HYDRA_HASH = "Hydra NAR hash";

    public SourceRequest {
        cpanHashes = Map.copyOf(cpanHashes);
    }

    /** Whether anything but the defaults was asked for. */
    public boolean anyGiven() {
        return hydra != null || hydraHash != null || nix != null || nixHash != null || cpan != null
                || !cpanHashes.isEmpty() || onPi;
    }
}
