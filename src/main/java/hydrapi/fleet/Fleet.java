// SPDX-License-Identifier: Apache-2.0
package hydrapi.fleet;

import hydrapi.InvalidInputException;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Hydra server and the builder Pis its queue runner sends builds to over SSH as Nix remote builders, by host name
 * (what the server dials on the LAN: {@code NAME} or {@code NAME.local} through mDNS is the network's business).
 * Keys live beside it in the fleet directory ({@link FleetDirectory}).
 */
public record Fleet(String server, List<Builder> builders) {

    /** The inputs refusals name ({@link InvalidInputException#input()}). */
    public static final String SERVER = "fleet server";
    public static final String BUILDER = "fleet builder";
    public static final String SYSTEM = "builder system";
    public static final String MAX_JOBS = "builder jobs";

    // RFC 1123 label, as for a Pi's host name (HydraOptions).
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    // Nix system doubles: CPU-OS (e.g. aarch64-linux, armv7l-linux).
    private static final Pattern SYSTEM_DOUBLE = Pattern.compile("[a-z0-9_]+-[a-z]+");

    /**
     * One builder: the Nix systems it builds for, how many builds it runs at once and its speed relative to the others
     * (/etc/nix/machines fields 2, 4 and 5).
     */
    public record Builder(String name, List<String> systems, int maxJobs, int speedFactor) {
        public Builder {
            systems = List.copyOf(systems);
        }
    }

    public Fleet {
        builders = List.copyOf(builders);
    }

    /** Refuses names, systems and job counts a machines file or a host could not take. */
    public void validate() throws InvalidInputException {
        if (!NAME.matcher(server).matches()) {
            throw InvalidInputException.about(SERVER, "'" + server + "' is not a host name (letters, digits, '-')");
        }
        if (builders.isEmpty()) {
            throw InvalidInputException.about(BUILDER, "a fleet needs at least one builder");
        }
        Set<String> names = new HashSet<>(Set.of(server.toLowerCase(java.util.Locale.ROOT)));
        for (Builder b : builders) {
            if (!NAME.matcher(b.name()).matches()) {
                throw InvalidInputException.about(BUILDER, "'" + b.name() + "' is not a host name (letters, digits,"
                        + " '-')");
            }
            if (!names.add(b.name().toLowerCase(java.util.Locale.ROOT))) {
                throw InvalidInputException.about(BUILDER, "'" + b.name() + "' is named twice in the fleet (host"
                        + " names ignore case)");
            }
            if (b.systems().isEmpty()) {
                throw InvalidInputException.about(SYSTEM, b.name() + " builds for no system");
            }
            for (String s : b.systems()) {
                if (!SYSTEM_DOUBLE.matcher(s).matches()) {
                    throw InvalidInputException.about(SYSTEM, "'" + s + "' is not a Nix system such as"
                            + " aarch64-linux");
                }
            }
            if (b.maxJobs() < 1 || b.maxJobs() > 64) {
                throw InvalidInputException.about(MAX_JOBS, b.maxJobs() + " is outside 1..64");
            }
            if (b.speedFactor() < 1 || b.speedFactor() > 100) {
                throw new InvalidInputException(b.name() + ": speed factor " + b.speedFactor() + " is outside 1..100");
            }
        }
    }

    /** The builder named {@code name}, if it is one. */
    public Optional<Builder> builder(String name) {
        return builders.stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
