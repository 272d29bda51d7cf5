// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import hydrapi.recipe.HeadlessSettings;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The headless settings Imager offers (Wi-Fi, country, time zone, locale), for {@code build}. */
final class HeadlessOptions {

    @Option(names = "--wifi-ssid", paramLabel = "NAME",
            description = "Wi-Fi network to join (a NetworkManager connection; needs --wifi-psk-file and "
                + "--wifi-country).")
    String wifiSsid;

    @Option(names = "--wifi-psk-file", paramLabel = "FILE",
            description = "File whose first line is the Wi-Fi passphrase; only the key derived from it (what "
                + "wpa_passphrase prints) lands in the image.")
    Path wifiPskFile;

    @Option(names = "--wifi-country", paramLabel = "CC",
            description = "Wi-Fi regulatory country, ISO 3166-1 alpha-2 (e.g. DE), as Imager sets it on cmdline.txt.")
    String wifiCountry;

    @Option(names = "--timezone", paramLabel = "AREA/CITY",
            description = "Time zone (/etc/timezone, /etc/localtime), e.g. Europe/Berlin.")
    String timezone;

    @Option(names = "--locale", paramLabel = "LOCALE",
            description = "System locale (/etc/default/locale), e.g. en_GB.UTF-8; generated on the Pi's first boot.")
    String locale;

    /** The Wi-Fi passphrase is read here and turned into its key at once; nothing keeps it. */
    HeadlessSettings settings() throws IOException {
        String passphrase = null;
        if (wifiPskFile != null) {
            String text = Files.readString(wifiPskFile, StandardCharsets.UTF_8);
            int eol = text.indexOf('\n');
            passphrase = (eol < 0 ? text : text.substring(0, eol)).replace("\r", "");
        }
        return HeadlessSettings.of(wifiSsid, passphrase, wifiCountry, timezone, locale);
    }
}
