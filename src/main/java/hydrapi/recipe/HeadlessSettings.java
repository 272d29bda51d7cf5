// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What Raspberry Pi Imager lets a user set and a headless Pi needs before anyone can log in: a Wi-Fi network (its
 * SSID and the derived pre-shared key, never the passphrase), the regulatory country, the time zone and the locale.
 * Each is optional (null); {@link #validate()} refuses, by name, values the Pi could not use.
 */
public record HeadlessSettings(String wifiSsid, String wifiPsk, String wifiCountry, String timezone, String locale) {

    public static final HeadlessSettings NONE = new HeadlessSettings(null, null, null, null, null);

    /** The inputs refusals name ({@link InvalidInputException#input()}). */
    public static final String WIFI_SSID = "Wi-Fi network";
    public static final String WIFI_PASSPHRASE = "Wi-Fi passphrase";
    public static final String WIFI_COUNTRY = "Wi-Fi country";
    public static final String TIMEZONE = "time zone";
    public static final String LOCALE_INPUT = "locale";

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern ZONE = Pattern.compile("[A-Z][A-Za-z_+-]*(/[A-Za-z0-9_+-]+){1,2}|UTC");
    private static final Pattern LOCALE = Pattern.compile("[a-z]{2,3}_[A-Z]{2}(@[a-z]+)?\\.UTF-8");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    /**
     * The settings from a Wi-Fi passphrase as a user types it: 8 to 63 printable ASCII characters (IEEE 802.11i
     * Annex H.4), or 64 hex digits that already are the key. The passphrase goes no further than this method.
     */
    public static HeadlessSettings of(String ssid, String passphrase, String country, String timezone, String locale)
            throws InvalidInputException {
        String psk = null;
        if (passphrase != null) {
            if (ssid == null) {
                throw InvalidInputException.about(WIFI_PASSPHRASE, "needs " + HydrapiException.mention(WIFI_SSID)
                        + " (the network it is for)");
            }
            if (HEX64.matcher(passphrase.toLowerCase(Locale.ROOT)).matches()) {
                psk = passphrase.toLowerCase(Locale.ROOT);
            } else if (passphrase.length() < 8 || passphrase.length() > 63
                    || !passphrase.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
                throw InvalidInputException.about(WIFI_PASSPHRASE, "a WPA passphrase is 8 to 63 printable ASCII"
                        + " characters (or the 64 hex digits of the key); this one has " + passphrase.length()
                        + " characters" + (passphrase.chars().allMatch(c -> c >= 0x20 && c <= 0x7e) ? ""
                        : ", some outside printable ASCII"));
            } else {
                checkSsid(ssid);
                psk = WifiPsk.derive(passphrase, ssid);
            }
        }
        HeadlessSettings s = new HeadlessSettings(ssid, psk, country, timezone, locale);
        s.validate();
        return s;
    }

    /** Refuses what cannot work on the Pi; messages name the value. */
    public void validate() throws InvalidInputException {
        if (wifiSsid != null) {
            checkSsid(wifiSsid);
            if (wifiPsk == null) {
                throw InvalidInputException.about(WIFI_SSID, "needs " + HydrapiException.mention(WIFI_PASSPHRASE)
                        + "; open networks are not configured, so give the WPA passphrase in a file");
            }
            if (!HEX64.matcher(wifiPsk).matches()) {
                throw new IllegalArgumentException("a derived PSK is 64 hex digits");
            }
            if (wifiCountry == null) {
                // Raspberry Pi OS keeps the Wi-Fi radio blocked until a country is set.
                throw InvalidInputException.about(WIFI_SSID, "needs " + HydrapiException.mention(WIFI_COUNTRY)
                        + " CC; the Pi keeps Wi-Fi off until its regulatory country is set");
            }
        }
        if (wifiCountry != null && !COUNTRIES.contains(wifiCountry)) {
            throw InvalidInputException.about(WIFI_COUNTRY, "'" + wifiCountry + "' is not an ISO 3166-1 alpha-2 code"
                    + " in capitals (e.g. DE, GB, US)");
        }
        if (timezone != null && (!ZONE.matcher(timezone).matches() || !ZoneId.getAvailableZoneIds().contains(timezone))) {
            throw InvalidInputException.about(TIMEZONE, "'" + timezone + "' is not a time zone of the tz database"
                    + " (Area/City, e.g. Europe/Berlin)");
        }
        if (locale != null && !LOCALE.matcher(locale).matches()) {
            throw InvalidInputException.about(LOCALE_INPUT, "'" + locale + "' is not a UTF-8 locale such as"
                    + " en_GB.UTF-8");
        }
    }

    private static void checkSsid(String ssid) throws InvalidInputException {
        int bytes = ssid.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > 32 || ssid.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw InvalidInputException.about(WIFI_SSID, "an SSID is 1 to 32 bytes without control characters;"
                    + " this one has " + bytes + " bytes");
        }
    }

    public boolean any() {
        return wifiSsid != null || wifiCountry != null || timezone != null || locale != null;
    }
}
