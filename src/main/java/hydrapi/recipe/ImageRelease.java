// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;

/**
 * What the image says it is: {@code codename} from os-release's VERSION_CODENAME (bookworm, trixie) and
 * {@code architecture} as Debian names it (arm64, armhf, amd64), from its binaries' ELF headers. Either is null when
 * the image does not tell (a bare sample image); the Pi's preflight stage then checks what the build could not.
 * {@code firstBoot} is its first-boot machinery, {@code cloudInit} whether cloud-init is installed (with or without
 * seeds) and would run on first boot.
 */
public record ImageRelease(String codename, String architecture, FirstBoot firstBoot, boolean cloudInit) {

    public static final ImageRelease UNKNOWN = new ImageRelease(null, null);

    public ImageRelease {
        java.util.Objects.requireNonNull(firstBoot, "firstBoot");
    }

    /** A release with no first-boot machinery of Raspberry Pi OS (a plain Debian image). */
    public ImageRelease(String codename, String architecture) {
        this(codename, architecture, FirstBoot.NONE, false);
    }

    /**
     * Refuses a pin that can only fail on this image's first boot (hydra-first-boot.md §0): the legacy pin builds
     * against libpqxx 6, which only bookworm has; the modern pin installs Nix's binaries, which exist for 64-bit
     * ARM only (no armv6l/armv7l binary cache or installer).
     */
    public void requireSupports(Pin pin) throws InvalidInputException {
        if (pin == Pin.LEGACY_2016 && codename != null && !codename.equals("bookworm")) {
            throw new InvalidInputException("the image is Debian " + codename + ", but the legacy-2016 pin builds"
                    + " Hydra against libpqxx 6, which only bookworm has; use the modern pin or a bookworm image");
        }
        if (pin == Pin.MODERN && architecture != null && !architecture.equals("arm64")
                && !architecture.equals("amd64")) {
            throw new InvalidInputException("the image's userland is " + architecture + " (32-bit), but the modern"
                    + " pin installs Nix's 64-bit binaries; use a 64-bit (arm64) Raspberry Pi OS image");
        }
    }

    /**
     * The Nix system this userland builds for, as Nix names it (its configure's host system: arm64 is aarch64-linux;
     * the legacy pin configures armhf as armv7l-linux, stage 04); null when unknown.
     */
    public String nixSystem() {
        if (architecture == null) {
            return null;
        }
        return switch (architecture) {
            case "arm64" -> "aarch64-linux";
            case "armhf" -> "armv7l-linux";
            case "amd64" -> "x86_64-linux";
            default -> null;
        };
    }

    /** Perl's archname on this architecture, where Nix 1.11 installs its Perl bindings; null when unknown. */
    String perlArchname() {
        if (architecture == null) {
            return null;
        }
        return switch (architecture) {
            case "arm64" -> "aarch64-linux-gnu-thread-multi";
            case "armhf" -> "arm-linux-gnueabihf-thread-multi-64int";
            case "amd64" -> "x86_64-linux-gnu-thread-multi";
            default -> null;
        };
    }
}
