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
 * records it as {@code admin-login}.
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
        return options.noHydra() ? "admin-login" : "hydra-server";
    }

    @Override
    public void validate() throws IOException {
        options.validate();
    }

    /** A pin this image cannot run is refused before minutes of downloads. */
    @Override
    public void check(ImageFacts image) throws IOException {
        if (!options.noHydra()) {
            image.release().requireSupports(options.pin());
        }
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
            facts.put("hydra_rev", pin.hydraRev());
            // The hash the image's first boot checks: the pin's, or the one given with a replacement source.
            facts.put("hydra_nar_hash", o.sources() != null ? o.sources().hydra().hash() : pin.narHash());
        }
        return new Contribution(specs, facts);
    }
}
