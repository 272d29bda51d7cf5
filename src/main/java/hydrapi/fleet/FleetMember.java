// SPDX-License-Identifier: Apache-2.0
package hydrapi.fleet;

import hydrapi.InvalidInputException;

/**
 * One machine of a fleet, as an image is built for it: the server (Hydra, its queue runner's SSH client key, the
 * builders it dials) or one builder (its SSH host key, and the server's public key it lets in). What each role puts
 * into an image is the recipes' business; this only says who is who.
 */
public record FleetMember(FleetDirectory.Loaded fleet, String name) {

    /** The input refusals name ({@link InvalidInputException#input()}). */
    public static final String ROLE = "fleet role";

    /** The member called {@code name}: the server or one of the builders. */
    public static FleetMember of(FleetDirectory.Loaded fleet, String name) throws InvalidInputException {
        if (fleet.fleet().server().equals(name) || fleet.fleet().builder(name).isPresent()) {
            return new FleetMember(fleet, name);
        }
        StringBuilder names = new StringBuilder(fleet.fleet().server());
        fleet.fleet().builders().forEach(b -> names.append(", ").append(b.name()));
        throw InvalidInputException.about(ROLE, name, "not a machine of the fleet, whose machines are " + names
                + " (as written there)");
    }

    public boolean isServer() {
        return fleet.fleet().server().equals(name);
    }

    /** This builder's entry; only for a builder. */
    public Fleet.Builder builder() {
        return fleet.fleet().builder(name).orElseThrow(() -> new IllegalStateException(name + " is the server"));
    }

    /** This builder's SSH host key pair; only for a builder. */
    public SshKeyPair hostKey() {
        SshKeyPair k = fleet.hostKeys().get(name);
        if (k == null) {
            throw new IllegalStateException(name + " has no host key in the fleet");
        }
        return k;
    }
}
