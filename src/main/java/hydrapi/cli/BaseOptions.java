// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.InvalidInputException;
import hydrapi.source.BaseSource;
import hydrapi.source.OsList;
import hydrapi.source.SourceFetcher;
import hydrapi.trust.BasePolicy;
import hydrapi.trust.OpenPgpVerifier;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Where the base image comes from and whom its signature must be from. */
public final class BaseOptions {

    @Option(names = "--base", required = true, paramLabel = "FILE|URL|latest",
            description = "Base image: a .img, .img.xz or .zip file; an http(s) URL, downloaded with its .sha256 and "
                + ".sig into the user's cache directory; or latest, the newest Raspberry Pi OS Lite image of the OS "
                + "list (--os-list) for --arch.")
    String base;

    @Option(names = "--arch", paramLabel = "ARCH",
            description = "With --base latest: arm64 (default) or armhf.")
    String arch;

    @Option(names = "--os-list", paramLabel = "URL",
            description = "With --base latest: the OS list to read (default: Raspberry Pi Imager's, "
                + "https://downloads.raspberrypi.com/os_list_imagingutility_v4.json).")
    String osList;

    @Option(names = "--base-key", paramLabel = "FILE",
            description = "OpenPGP public key (armored or binary) to check the base's .sig with, instead of Raspberry "
                + "Pi's (fingerprint 54C3 DD61 0D9D 1B4A F82A 3775 8738 CD6B 956F 460C).")
    Path baseKey;

    @Option(names = "--insecure",
            description = "Use a base whose signature is missing, bad or cannot be checked; the build manifest "
                + "records it. A wrong SHA-256 is refused all the same.")
    boolean insecure;

    /** --base as a file, URL or latest; --arch and --os-list belong to latest only. */
    BaseSource source() throws InvalidInputException {
        boolean latest = base.equals("latest");
        if (!latest && (arch != null || osList != null)) {
            throw new InvalidInputException((arch != null ? "--arch" : "--os-list") + " applies to --base latest only");
        }
        if (latest) {
            OsList.Arch a = switch (arch == null ? "arm64" : arch) {
                case "arm64" -> OsList.Arch.ARM64;
                case "armhf" -> OsList.Arch.ARMHF;
                default -> throw new InvalidInputException("--arch " + arch + ": give arm64 or armhf");
            };
            return new BaseSource.Latest(osList == null ? OsList.DEFAULT_URL : url("--os-list", osList), a);
        }
        if (SourceFetcher.isUrl(base)) {
            return new BaseSource.Remote(url("--base", base));
        }
        return new BaseSource.Local(Path.of(base));
    }

    private static URI url(String option, String text) throws InvalidInputException {
        try {
            URI u = new URI(text);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new URISyntaxException(text, "not an http(s) URL with a host");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new InvalidInputException(option + " " + text + ": not a valid http(s) URL");
        }
    }

    /** --base-key replaces the shipped Raspberry Pi key (none is shipped when it could not be obtained). */
    BasePolicy policy() throws IOException {
        if (baseKey != null) {
            return new BasePolicy(OpenPgpVerifier.load(baseKey, BasePolicy.KEY), java.util.List.of(), insecure);
        }
        return new BasePolicy(OpenPgpVerifier.raspberryPiIfShipped().orElse(null),
                java.util.List.copyOf(new java.util.TreeSet<>(OpenPgpVerifier.RASPBERRY_PI_KEYS.keySet())), insecure);
    }
}
