// SPDX-License-Identifier: Apache-2.0
package hydrapi.assemble;

import hydrapi.InvalidInputException;
import hydrapi.plan.FileSpec;

/** The permission bits (07777) and numeric owners a path of the image is left with. */
record Attributes(int mode, int uid, int gid) {

    /** A missing parent: what {@code mkdir -p} run by root under the usual umask 022 leaves. */
    static final Attributes ROOT_DIRECTORY = new Attributes(0755, 0, 0);

    /** What the plan asks for. */
    static Attributes of(FileSpec spec) {
        return new Attributes(spec.mode(), spec.uid(), spec.gid());
    }

    /**
     * These, with what a rule of an overlay manifest sets in their place; owner and group names are resolved by
     * {@code owners}, the image's own accounts.
     */
    Attributes with(OverlayManifest.Rule rule, OwnerResolver owners) throws InvalidInputException {
        int m = rule.mode() != null ? rule.mode() : mode;
        int u = rule.owner() != null ? owners.uid(rule.owner(), rule.where()) : uid;
        int g = rule.group() != null ? owners.gid(rule.group(), rule.where()) : gid;
        return new Attributes(m, u, g);
    }
}
