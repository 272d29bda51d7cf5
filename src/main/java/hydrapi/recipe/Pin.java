// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;

/** The two supported Hydra pins (hydra-first-boot.md §0, §1, §2.2). */
public enum Pin {
    /** Hydra 993647d, the last commit on the Nix 1.11 API; built from source on bookworm. */
    LEGACY_2016("legacy-2016", "993647d1e3b43f1f9b7dc2ebce889b475d156bb9", "1.11.16",
            "sha256-KSMXRHEq0ItxEEH+iEP8DwBmMItuP989cr0ebfMlv4Q="),
    /** nixpkgs' hydra (src 241ab718, nixpkgs 05d7a195) installed with Nix; aarch64 only. */
    MODERN("modern", "241ab718002ca5740b7e3f659d0fbd483ab40523", "2.31.2",
            "sha256-ifmzQS+u/dODQXmMVQLIb4AF4dkWI9s7VGYpV6x/Iq4=");

    private final String id;
    private final String hydraRev;
    private final String nixVersion;
    private final String narHash;

    Pin(String id, String hydraRev, String nixVersion, String narHash) {
        this.id = id;
        this.hydraRev = hydraRev;
        this.nixVersion = nixVersion;
        this.narHash = narHash;
    }

    /** The name used on the command line and in config.env. */
    public String id() {
        return id;
    }

    public String hydraRev() {
        return hydraRev;
    }

    public String nixVersion() {
        return nixVersion;
    }

    /** NAR hash of the unpacked GitHub source tree of {@link #hydraRev()}. */
    public String narHash() {
        return narHash;
    }

    /** What a refused pin is called ({@link InvalidInputException#input()}). */
    public static final String INPUT = "Hydra pin";

    public static Pin parse(String id) throws InvalidInputException {
        for (Pin p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw InvalidInputException.about(INPUT, "'" + id + "' is not one of legacy-2016, modern");
    }
}
