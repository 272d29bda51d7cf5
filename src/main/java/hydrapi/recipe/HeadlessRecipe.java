// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import hydrapi.InvalidInputException;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The headless settings as files, where Raspberry Pi OS's own tools put them (docs/raspberry-pi-os.md, "Headless
 * settings"): a NetworkManager keyfile for the Wi-Fi network, the country on cmdline.txt with the radio unblocked,
 * /etc/timezone with its /etc/localtime link, /etc/default/locale with the locale generated on first boot.
 */
public final class HeadlessRecipe implements Recipe {

    /** What the image holds that the settings depend on, read by the build. */
    public record Facts(List<String> wlanRfkillStates, boolean hasZoneinfo, boolean zonePresent, boolean hasLocaleGen,
                        boolean localeListed) {
        public Facts {
            wlanRfkillStates = List.copyOf(wlanRfkillStates);
        }

        /** Read from the image: radios' saved rfkill states, tzdata, locale-gen and glibc's list of locales. */
        static Facts read(ImageFacts image, HeadlessSettings s) throws IOException {
            List<String> wlan = new ArrayList<>();
            if (isDirectory(image, RFKILL)) {
                for (ImageFacts.Entry e : image.list(RFKILL)) {
                    if (e.kind() == ImageFacts.Kind.FILE && e.name().endsWith(":wlan")) {
                        wlan.add(RFKILL + "/" + e.name());
                    }
                }
            }
            boolean zone = s.timezone() != null && isFileOrLink(image, "/usr/share/zoneinfo/" + s.timezone());
            boolean listed = false;
            String supported = "/usr/share/i18n/SUPPORTED";
            if (s.locale() != null && image.stat(supported).map(e -> e.kind() == ImageFacts.Kind.FILE).orElse(false)) {
                String want = s.locale() + " UTF-8";
                listed = new String(image.read(supported), StandardCharsets.UTF_8).lines()
                        .anyMatch(l -> l.strip().equals(want));
            }
            return new Facts(wlan, isDirectory(image, "/usr/share/zoneinfo"), zone,
                    isFileOrLink(image, "/usr/sbin/locale-gen"), listed);
        }

        private static boolean isDirectory(ImageFacts image, String path) throws IOException {
            return image.stat(path).map(e -> e.kind() == ImageFacts.Kind.DIRECTORY).orElse(false);
        }

        private static boolean isFileOrLink(ImageFacts image, String path) throws IOException {
            return image.stat(path).map(e -> e.kind() == ImageFacts.Kind.FILE || e.kind() == ImageFacts.Kind.SYMLINK)
                    .orElse(false);
        }
    }

    private static final String RFKILL = "/var/lib/systemd/rfkill";

    static final String NM_CONNECTION = "/etc/NetworkManager/system-connections/preconfigured.nmconnection";
    static final String LOCALE_UNIT = "hydrapi-locale-gen.service";

    private final HeadlessSettings settings;

    public HeadlessRecipe(HeadlessSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "headless";
    }

    @Override
    public void validate() throws InvalidInputException {
        settings.validate();
    }

    /** Which settings were made; the network's name and key stay out of the manifest, which is published. */
    @Override
    public Contribution contribute(ImageFacts image) throws IOException {
        Map<String, String> facts = new LinkedHashMap<>();
        if (settings.wifiSsid() != null) {
            facts.put("wifi", "preconfigured");
        }
        if (settings.wifiCountry() != null) {
            facts.put("wifi_country", settings.wifiCountry());
        }
        if (settings.timezone() != null) {
            facts.put("timezone", settings.timezone());
        }
        if (settings.locale() != null) {
            facts.put("locale", settings.locale());
        }
        return new Contribution(specs(settings, Facts.read(image, settings), image.bootMount()), facts);
    }

    public static List<FileSpec> specs(HeadlessSettings s, Facts facts, String bootMount)
            throws InvalidInputException {
        s.validate();
        List<FileSpec> out = new ArrayList<>();
        if (s.wifiSsid() != null) {
            // NetworkManager ignores keyfiles others may read (nm-settings-keyfile(5)); Imager's name and layout.
            out.add(FileSpec.directory("/etc/NetworkManager/system-connections", 0700));
            out.add(FileSpec.file(NM_CONNECTION, 0600, text(nmConnection(s.wifiSsid(), s.wifiPsk()))));
        }
        if (s.wifiCountry() != null) {
            out.add(FileSpec.file(bootMount + "/cmdline.txt", 0644, new Content.Edit("regulatory domain "
                    + s.wifiCountry(), b -> RaspberryPiBoot.setWord(b, "cfg80211.ieee80211_regdom=", s.wifiCountry()))));
            // pi-gen writes the Wi-Fi radios' saved rfkill state as blocked until a country is set; the country set,
            // they are released as raspi-config's do_wifi_country does (systemd-rfkill restores these at boot).
            for (String state : facts.wlanRfkillStates()) {
                out.add(FileSpec.file(state, 0644, text("0\n")));
            }
        }
        if (s.timezone() != null) {
            if (facts.hasZoneinfo() && !facts.zonePresent()) {
                throw InvalidInputException.about(HeadlessSettings.TIMEZONE, s.timezone(), "the image has no"
                        + " /usr/share/zoneinfo/" + s.timezone() + " (its tzdata is older or trimmed)");
            }
            out.add(FileSpec.file("/etc/timezone", 0644, text(s.timezone() + "\n")));
            out.add(FileSpec.symlink("/etc/localtime", "/usr/share/zoneinfo/" + s.timezone()));
        }
        if (s.locale() != null) {
            if (!facts.hasLocaleGen()) {
                throw InvalidInputException.about(HeadlessSettings.LOCALE_INPUT, s.locale(), "the image has no"
                        + " locale-gen (package locales), so the locale cannot be generated on the Pi");
            }
            if (!facts.localeListed()) {
                throw InvalidInputException.about(HeadlessSettings.LOCALE_INPUT, s.locale(), "not among the"
                        + " locales the image's glibc supports (/usr/share/i18n/SUPPORTED)");
            }
            out.add(FileSpec.file("/etc/default/locale", 0644, text("LANG=" + s.locale() + "\n")));
            out.add(FileSpec.file("/etc/locale.gen", 0644, new Content.Edit("enable " + s.locale(),
                    b -> enableLocale(b, s.locale()))));
            out.add(FileSpec.file("/etc/systemd/system/" + LOCALE_UNIT, 0644, text(LOCALE_UNIT_TEXT)));
            out.add(FileSpec.symlink("/etc/systemd/system/multi-user.target.wants/" + LOCALE_UNIT, "../" + LOCALE_UNIT));
        }
        return out;
    }

    /**
     * Generates the locales of /etc/locale.gen once, before logins: the image's locale archive predates the edit.
     * A stamp rather than ConditionFirstBoot=: bookworm's empty machine-id does not make a first boot.
     */
    static final String LOCALE_UNIT_TEXT = """
            # Written by hydrapi: generates the locale set with --locale on the first boot, then never again.
            [Unit]
            Description=Generate the locales of /etc/locale.gen (hydrapi)
            ConditionPathExists=!/var/lib/hydrapi/locale-generated
            Before=systemd-user-sessions.service

            [Service]
            Type=oneshot
            ExecStart=/usr/sbin/locale-gen
            ExecStartPost=/bin/mkdir -p /var/lib/hydrapi
            ExecStartPost=/usr/bin/touch /var/lib/hydrapi/locale-generated

            [Install]
            WantedBy=multi-user.target
            """;

    /**
     * An nm-settings-keyfile(5) connection as Imager's set_wlan writes it, with a UUID derived from the SSID so the
     * image is reproducible (NetworkManager only needs it unique on the Pi). An SSID that the keyfile format could
     * misread (';', '\', a leading or trailing space, non-ASCII) is written as its list of bytes.
     */
    static String nmConnection(String ssid, String psk) {
        byte[] bytes = ssid.getBytes(StandardCharsets.UTF_8);
        String value = ssid;
        if (!ssid.matches("[!-:<-\\[\\]-~]([ -:<-\\[\\]-~]*[!-:<-\\[\\]-~])?")) {
            StringBuilder list = new StringBuilder();
            for (byte b : bytes) {
                list.append(b & 0xFF).append(';');
            }
            value = list.toString();
        }
        UUID uuid = UUID.nameUUIDFromBytes(("hydrapi wifi " + ssid).getBytes(StandardCharsets.UTF_8));
        return "[connection]\nid=preconfigured\nuuid=" + uuid + "\ntype=wifi\n\n[wifi]\nmode=infrastructure\n"
                + "ssid=" + value + "\nhidden=false\n\n[wifi-security]\nauth-alg=open\nkey-mgmt=wpa-psk\npsk=" + psk
                + "\n\n[ipv4]\nmethod=auto\n\n[ipv6]\naddr-gen-mode=default\nmethod=auto\n\n[proxy]\n";
    }

    /** Uncomments "# LOCALE UTF-8" in locale.gen, or appends it; re-applying changes nothing. */
    static byte[] enableLocale(byte[] localeGen, String locale) {
        String want = locale + " UTF-8";
        List<String> out = new ArrayList<>();
        boolean found = false;
        for (String line : new String(localeGen, StandardCharsets.UTF_8).split("\n", -1)) {
            String bare = line.replaceFirst("^#\\s*", "").strip();
            if (bare.equals(want)) {
                if (!found) {
                    out.add(want);
                }
                found = true;
            } else {
                out.add(line);
            }
        }
        String text = String.join("\n", out);
        if (!found) {
            text = (text.isEmpty() || text.endsWith("\n") ? text : text + "\n") + want + "\n";
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Content text(String s) {
        return new Content.Bytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
