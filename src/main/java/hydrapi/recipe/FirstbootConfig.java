// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;

/**
 * The configuration the image hands its first boot (hydra-first-boot.md §7, §8): config.env, which the driver and
 * every stage source, and the nix.conf block stage 05 merges. Written by {@link HydraRecipe}.
 */
final class FirstbootConfig {

    /** The binary cache's signing key, made by stage 05 on the Pi; hydra-www reads it through group hydra. */
    static final String CACHE_SECRET_KEY = "/etc/nix/hydra-cache.sec";

    private FirstbootConfig() {
    }

    /** Where a source lies in the image: CPAN distributions in their own folder, the others beside it. */
    static String sourcePath(HydraOptions o, PinnedSources.Source src) {
        boolean cpan = o.sources().cpan().contains(src);
        return HydraRecipe.CACHE + "/src/" + (cpan ? "cpan/" : "") + src.name();
    }

    /** config.env, which the driver and every stage source (lib.sh, load_config). */
    static String configEnv(HydraOptions o) throws InvalidInputException {
        Pin pin = o.pin();
        StringBuilder s = new StringBuilder("# Written by hydrapi; read by /usr/local/lib/hydra-firstboot/run.\n");
        kv(s, "PIN", pin.id());
        kv(s, "ROLE", o.isFleetBuilder() ? "builder" : "server");
        kv(s, "HYDRA_REV", pin.hydraRev());
        kv(s, "NIX_VERSION", pin.nixVersion());
        kv(s, "NIX_BUILD_USERS", Integer.toString(o.buildUsers()));
        if (!o.isFleetBuilder()) {
            kv(s, "HYDRA_URL", "http://" + o.hostname() + ":3000");
            kv(s, "NOTIFICATION_SENDER", "hydra@" + o.hostname());
        }
        kv(s, "ADMIN_USER", o.hydraAdmin());
        kv(s, "ADMIN_FULLNAME", o.hydraAdmin());
        kv(s, "ADMIN_EMAIL", o.adminEmail() != null ? o.adminEmail() : o.hydraAdmin() + "@" + o.hostname());
        kv(s, "NOT_BEFORE", Long.toString(o.now().getEpochSecond()));
        kv(s, "BOOT_MOUNT", o.bootMount());
        if (o.isFleetBuilder()) {
            kv(s, "FLEET_SERVER", o.fleet().fleet().fleet().server());
        } else {
            // The binary cache's signing key, made on the Pi (never in the image): named after the host, "-1" the
            // number to raise when a key is revoked (Nix manual, nix-store --generate-binary-cache-key).
            kv(s, "CACHE_KEY_NAME", o.hostname() + "-1");
        }
        PinnedSources src = o.sources();
        if (src != null) {
            kv(s, "NIX_TARBALL_SHA256", src.nix().hash());
            kv(s, "NIX_TARBALL_URL", src.nix().url());
        }
        if (src != null && !o.isFleetBuilder()) {
            kv(s, "HYDRA_SOURCE", sourcePath(o, src.hydra()));
            kv(s, "HYDRA_SOURCE_URL", src.hydra().url());
            kv(s, "HYDRA_NAR_HASH_BASE32", Nix32.encode(NarHash.parse(src.hydra().hash())));
            kv(s, "CPAN_MODULES", String.join(" ", PinnedSources.CPAN_MODULES));
            StringBuilder dists = new StringBuilder();
            for (PinnedSources.Source c : src.cpan()) {
                // SHA256=URL: the hex has no '=', a URL may.
                dists.append(dists.length() == 0 ? "" : " ").append(c.hash()).append('=').append(c.url());
            }
            kv(s, "CPAN_DISTS", dists.toString());
        }
        if (pin == Pin.MODERN) {
            kv(s, "NIXPKGS_REV", HydraRecipe.NIXPKGS_REV);
            kv(s, "NIX_INSTALLER_SHA256", HydraRecipe.NIX_INSTALLER_SHA256);
        }
        return s.toString();
    }

    /**
     * The nix.conf block stage 05 merges; Nix 1.11 and 2.x name the same settings differently
     * (hydra-first-boot.md §1.3, §4.2). The trusted user is whoever imports builds: Hydra's queue runner on a server,
     * the server's login on a fleet's builder (Nix manual, "Remote Builds"). A modern server signs what its daemon
     * builds with the cache key stage 05 makes, and leaves /etc/nix/machines to Hydra: by default the daemon would
     * read it too (builders = @/etc/nix/machines) and dial the builders as root, who has no key for them.
     */
    static String nixConf(Pin pin, HydraOptions o) {
        String trusted = "trusted-users = root " + (o.isFleetBuilder() ? AccountPlan.NIX_SSH : "hydra-queue-runner")
                + "\n";
        if (pin == Pin.LEGACY_2016) {
            return "build-users-group = nixbld\n" + trusted + "gc-keep-outputs = true\n"
                    + "gc-keep-derivations = true\ngc-check-reachability = false\nbuild-max-jobs = 1\n";
        }
        String s = trusted + "keep-outputs = true\nkeep-derivations = true\nmax-jobs = 1\ncores = 0\n";
        if (!o.isFleetBuilder()) {
            s += "secret-key-files = " + CACHE_SECRET_KEY + "\n";
        }
        if (o.fleet() != null && o.fleet().isServer()) {
            s += "builders =\n";
        }
        return s;
    }

    /** KEY='value' with the shell's single-quote escape; config.env is sourced by bash. */
    private static void kv(StringBuilder s, String key, String value) {
        s.append(key).append("='").append(value.replace("'", "'\\''")).append("'\n");
    }
}
