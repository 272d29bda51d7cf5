// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The third-party sources a pin builds from on the Pi, each pinned by hash: for legacy-2016 the Nix 1.11.16 release
 * tarball, Hydra 993647d's source and the seven CPAN distributions Debian lacks (hydra-first-boot.md §1.3, §1.4,
 * §1.10). A source with a {@code file} goes into the image; one without is downloaded by the Pi from its {@code url}
 * and checked against the same hash. The modern pin takes Nix and Hydra from Nix itself and has none.
 */
public record PinnedSources(Source nix, Source hydra, List<Source> cpan) {

    /**
     * One source: the file name it has in the image's source cache, where the Pi fetches it when the image has no
     * copy, its hash (sha256 hex of the file; for Hydra the SRI NAR hash of the unpacked tree, which survives
     * GitHub re-packing its archives), and the local copy that goes into the image, or null.
     */
    public record Source(String name, String url, String hash, Path file) {
        public Source {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(hash, "hash");
        }

        public Source withFile(Path f) {
            return new Source(name, url, hash, f);
        }

        public Source withHash(String h) {
            return new Source(name, url, h, file);
        }
    }

    public static final String CPAN_MIRROR = "https://cpan.metacpan.org/authors/id";

    // sha256 of nixos.org's nix-1.11.16.tar.xz, as nixpkgs pinned it in its 2017–18 nix derivation (§1.3).
    private static final Source NIX_1_11_16 = new Source("nix-1.11.16.tar.xz",
            "https://nixos.org/releases/nix/nix-1.11.16/nix-1.11.16.tar.xz",
            "0ca5782fc37d62238d13a620a7b4bff6a200bab1bd63003709249a776162357c", null);

    /**
     * The CPAN distributions, as author path under authors/id and sha256 of the tarball, from nixpkgs'
     * perl-packages.nix (its hex or base-32 hashes converted). Crypt-RandPasswd is 0.06, the newest release nixpkgs
     * pinned and so the newest whose hash is known from a source other than CPAN itself.
     */
    private static final List<String[]> CPAN = List.of(
            // In the order cpanm installs them: each after the ones it needs (ProxyBase needs RoleApplicator).
            new String[] {"G/GA/GAAS/Digest-SHA1-2.13.tar.gz",
                "68c1dac2187421f0eb7abf71452a06f190181b8fc4b28ededf5b90296fb943cc"},
            new String[] {"N/NE/NEILB/Crypt-RandPasswd-0.06.tar.gz",
                "b1bd90478d9cc75f4c7dfa4dbee6fd0c0a40a1a529288df72697873308294831"},
            new String[] {"H/HD/HDP/CatalystX-RoleApplicator-0.005.tar.gz",
                "e28e47677689bdadf5544e1c41a2ac575599366f840d73bbd0b03c64fb558a6f"},
            new String[] {"B/BO/BOBTFISH/Catalyst-TraitFor-Request-ProxyBase-0.000005.tar.gz",
                "a7bf0faa7e12ca5df625d9f5fc710f11bfd16ba5385837e48d42b3d286c9710a"},
            new String[] {"A/AR/ARODLAND/Catalyst-Plugin-AccessLog-1.10.tar.gz",
                "873db8e4e72a994e3e17aeb53d2b837e6d524b4b8b0f3539f262135c88cc2120"},
            new String[] {"A/AB/ABRAXXA/CatalystX-Script-Server-Starman-0.02.tar.gz",
                "a56350e9bc7be2774c721307ba375ea5f4effbe1f134b6af1cb132c2e6ad0240"},
            new String[] {"G/GA/GAUDEON/Catalyst-View-Download-0.09.tar.gz",
                "7acf8f5f245ec7f6f353f48729d137b12af1acfa2cf1fbd65c70391e9337f8e1"});

    /** The Perl modules the CPAN distributions provide, which stage 07 loads to tell whether they are installed. */
    public static final List<String> CPAN_MODULES = List.of("Digest::SHA1", "Crypt::RandPasswd",
            "CatalystX::RoleApplicator", "Catalyst::TraitFor::Request::ProxyBase", "Catalyst::Plugin::AccessLog",
            "CatalystX::Script::Server::Starman", "Catalyst::View::Download");

    // Name-Version.tar.gz, the version being the part after the last '-' (CPAN's own convention).
    private static final Pattern DIST = Pattern.compile("([A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*)-"
            + "(v?[0-9][0-9._]*)\\.tar\\.gz");

    public PinnedSources {
        cpan = List.copyOf(cpan);
    }

    /** What {@code pin} builds from, every source left to the Pi; null for a pin with none. */
    public static PinnedSources of(Pin pin) {
        if (pin != Pin.LEGACY_2016) {
            return null;
        }
        Source hydra = new Source("hydra-" + pin.hydraRev() + ".tar.gz",
                "https://github.com/NixOS/hydra/archive/" + pin.hydraRev() + ".tar.gz", pin.narHash(), null);
        List<Source> cpan = new ArrayList<>();
        for (String[] d : CPAN) {
            cpan.add(new Source(d[0].substring(d[0].lastIndexOf('/') + 1), CPAN_MIRROR + "/" + d[0], d[1], null));
        }
        return new PinnedSources(NIX_1_11_16, hydra, cpan);
    }

    public PinnedSources withNix(Source s) {
        return new PinnedSources(s, hydra, cpan);
    }

    public PinnedSources withHydra(Source s) {
        return new PinnedSources(nix, s, cpan);
    }

    public PinnedSources withCpan(List<Source> s) {
        return new PinnedSources(nix, hydra, s);
    }

    /**
     * Replaces pinned CPAN distributions by other files of the same distributions: {@code overrides} maps a file
     * name (Name-Version.tar.gz) to its sha256 hex. Each must name a distribution of the pin; it is then fetched
     * from the same author directory.
     */
    public PinnedSources withCpanOverrides(Map<String, String> overrides) throws InvalidInputException {
        List<Source> out = new ArrayList<>(cpan);
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            String dist = distribution(o.getKey());
            int at = -1;
            for (int i = 0; i < out.size(); i++) {
                if (distribution(out.get(i).name()).equals(dist)) {
                    at = i;
                }
            }
            if (at < 0) {
                throw new InvalidInputException("CPAN file " + o.getKey() + " is of distribution " + dist
                        + ", which the pin does not install; it installs " + names());
            }
            Source old = out.get(at);
            String url = old.url().substring(0, old.url().lastIndexOf('/') + 1) + o.getKey();
            out.set(at, new Source(o.getKey(), url, o.getValue(), null));
        }
        return withCpan(out);
    }

    /** The distribution part of a CPAN file name: Catalyst-Plugin-AccessLog for Catalyst-Plugin-AccessLog-1.10.tar.gz. */
    public static String distribution(String fileName) throws InvalidInputException {
        Matcher m = DIST.matcher(fileName);
        if (!m.matches()) {
            throw new InvalidInputException("CPAN file name '" + fileName + "' is not Name-Version.tar.gz");
        }
        return m.group(1);
    }

    /** Every source, Nix and Hydra first. */
    public List<Source> all() {
        List<Source> out = new ArrayList<>();
        out.add(nix);
        out.add(hydra);
        out.addAll(cpan);
        return out;
    }

    private String names() {
        StringBuilder s = new StringBuilder();
        for (Source c : cpan) {
            s.append(s.length() == 0 ? "" : ", ").append(c.name());
        }
        return s.toString();
    }
}
