// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Hydra server as a {@link Recipe}: the admin login, host name and SSH, and (unless the options say no Hydra)
 * the first-boot stages that install Nix, PostgreSQL and Hydra at the pin. The login and the server are one recipe
 * because one account plan gives every new account its ID ({@link AccountPlan}). Without Hydra the manifest
 * records it as {@code admin-login}; as a fleet's builder, which installs Nix alone, as {@code nix-builder}.
 */
public final class HydraServerRecipe implements Recipe {

    private final HydraOptions options;
    private final SourceSupply sources;

    /** {@code sources} resolves the pin's source tarballs once the image has been checked. */
    public HydraServerRecipe(HydraOptions options, SourceSupply sources) {
        this.options = options;
        this.sources = sources;
    }

    @Override
    public String name() {
        if (options.noHydra()) {
            return "admin-login";
        }
        return options.isFleetBuilder() ? "nix-builder" : "hydra-server";
    }

    @Override
    public void validate() throws IOException {
        options.validate();
    }

    /** A pin this image cannot run is refused before minutes of downloads. */
    @Override
    public void check(ImageFacts image) throws IOException {
        HydraRecipe.check(options, image.release());
    }

    @Override
    public Contribution contribute(ImageFacts image) throws IOException {
        HydraOptions o = options.withBootMount(image.bootMount());
        if (!o.noHydra()) {
            o = o.withSources(sources.resolve(o.pin()));
        }
        HydraRecipe recipe = new HydraRecipe(o, image.accounts(), image.release());
        List<FileSpec> specs = new ArrayList<>(recipe.specs());
        Optional<SkelCopy> skel = recipe.skelCopy();
        if (skel.isPresent()) {
            specs.addAll(skel.get().specs(image));
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("admin_user", o.adminUser());
        facts.put("host_name", o.hostname());
        if (!o.noHydra()) {
            Pin pin = o.pin();
            facts.put("pin", pin.id());
            if (!o.isFleetBuilder()) {
                facts.put("hydra_rev", pin.hydraRev());
                // The hash the image's first boot checks: the pin's, or the one given with a replacement source.
                facts.put("hydra_nar_hash", o.sources() != null ? o.sources().hydra().hash() : pin.narHash());
            }
        }
        if (o.fleet() != null) {
            facts.put("fleet_server", o.fleet().fleet().fleet().server());
            if (o.fleet().isServer()) {
                facts.put("local_system", HydraRecipe.localSystem(o.fleet(), image.release()));
            }
            facts.put("fleet_builders", String.join(",", o.fleet().fleet().fleet().builders().stream()
                    .map(hydrapi.fleet.Fleet.Builder::name).toList()));
            // Said where anyone inspecting the image sees it: such an image must stay private.
            facts.put("private_keys", o.fleet().isServer() ? FleetFiles.CLIENT_KEY : FleetFiles.HOST_KEY);
        }
        return new Contribution(specs, facts);
    }
}
