// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

class HeadlessRecipeTest {

    static final HeadlessRecipe.Facts PI_OS = new HeadlessRecipe.Facts(
            List.of("/var/lib/systemd/rfkill/platform-fe300000.mmcnr:wlan"), true, true, true, true);

    /** IEEE 802.11i-2004 Annex H.4.3's test vectors, and python's hashlib as an independent second opinion. */
    @Test
    void wifiPsk_matchesTheStandardsVectorsAndPython() throws Exception {
        assertEquals("f42c6fc52df0ebef9ebb4b90b38a5f902e83fe1b135a70e23aed762e9710a12e",
                WifiPsk.derive("password", "IEEE"));
        assertEquals("0dc0d6eb90555ed6419756b9a15ec3e3209b63df707dd508d14581f8982721af",
                WifiPsk.derive("ThisIsAPassword", "ThisIsASSID"));
        long seed = System.nanoTime();
        System.out.println("WifiPskTest seed " + seed);
        Random r = new Random(seed);
        for (int i = 0; i < 5; i++) {
            StringBuilder pass = new StringBuilder();
            for (int k = 8 + r.nextInt(56); k > 0; k--) {
                pass.append((char) (0x20 + r.nextInt(95)));
            }
            String ssid = "Café-" + r.nextInt(1000);
            Process p = new ProcessBuilder("python3", "-c", "import hashlib,sys;print(hashlib.pbkdf2_hmac('sha1',"
                    + "sys.argv[1].encode(),sys.argv[2].encode(),4096,32).hex())", pass.toString(), ssid).start();
            String py = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor());
            assertEquals(py, WifiPsk.derive(pass.toString(), ssid), "seed " + seed);
        }
    }

    @Test
    void settings_refuseWhatThePiCannotUseByName() {
        String ssid = HydrapiException.mention(HeadlessSettings.WIFI_SSID);
        List<String[]> bad = List.of(
                new String[] {HeadlessSettings.WIFI_PASSPHRASE, "Home", "short", "DE", null, null},
                new String[] {HeadlessSettings.WIFI_PASSPHRASE, "Home", "tab\tinside-pass", "DE", null, null},
                new String[] {HeadlessSettings.WIFI_SSID, "x".repeat(33), "longenough", "DE", null, null},
                new String[] {HeadlessSettings.WIFI_SSID, "Home", "longenough", null, null, null,
                    ssid + ": needs " + HydrapiException.mention(HeadlessSettings.WIFI_COUNTRY)},
                new String[] {HeadlessSettings.WIFI_COUNTRY, null, null, "de", null, null},
                new String[] {HeadlessSettings.WIFI_COUNTRY, null, null, "XX", null, null},
                new String[] {HeadlessSettings.WIFI_SSID, "Home", null, "DE", null, null,
                    ssid + ": needs " + HydrapiException.mention(HeadlessSettings.WIFI_PASSPHRASE)},
                new String[] {HeadlessSettings.TIMEZONE, null, null, null, "Mars/Olympus", null},
                new String[] {HeadlessSettings.TIMEZONE, null, null, null, "../etc/passwd", null},
                new String[] {HeadlessSettings.LOCALE_INPUT, null, null, null, null, "en_GB.ISO-8859-1"},
                new String[] {HeadlessSettings.LOCALE_INPUT, null, null, null, null, "C.UTF-8; rm"});
        for (String[] c : bad) {
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> HeadlessSettings.of(c[1], c[2], c[3], c[4], c[5]), String.join(",", c[0]));
            assertEquals(c[0], e.input(), e.getMessage());
            String start = c.length > 6 ? c[6] : HydrapiException.mention(c[0]) + ": ";
            assertTrue(e.getMessage().startsWith(start), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            assertFalse(c[2] != null && e.getMessage().contains(c[2]), "a passphrase must not be echoed");
        }
    }

    @Test
    void specs_wifiKeyfileCountryTimezoneLocale() throws Exception {
        HeadlessSettings s = HeadlessSettings.of("Home Net", "correct horse battery", "DE", "Europe/Berlin",
                "de_DE.UTF-8");
        Map<String, FileSpec> m = new TreeMap<>();
        for (FileSpec f : HeadlessRecipe.specs(s, PI_OS, "/boot/firmware")) {
            m.put(f.path(), f);
        }
        FileSpec nm = m.get("/etc/NetworkManager/system-connections/preconfigured.nmconnection");
        assertEquals(0600, nm.mode());
        String keyfile = text(nm);
        assertTrue(keyfile.contains("\nssid=Home Net\n"), keyfile);
        assertTrue(keyfile.contains("\npsk=" + WifiPsk.derive("correct horse battery", "Home Net") + "\n"), keyfile);
        assertFalse(keyfile.contains("correct horse battery"));
        assertEquals("0\n", text(m.get("/var/lib/systemd/rfkill/platform-fe300000.mmcnr:wlan")));
        byte[] cmdline = ((Content.Edit) m.get("/boot/firmware/cmdline.txt").content()).change()
                .apply("console=tty1 root=PARTUUID=x-02 cfg80211.ieee80211_regdom=GB rootwait resize\n"
                        .getBytes(StandardCharsets.UTF_8));
        assertEquals("console=tty1 root=PARTUUID=x-02 cfg80211.ieee80211_regdom=DE rootwait resize\n",
                new String(cmdline, StandardCharsets.UTF_8));
        assertEquals("Europe/Berlin\n", text(m.get("/etc/timezone")));
        assertEquals("/usr/share/zoneinfo/Europe/Berlin", m.get("/etc/localtime").linkTarget());
        assertEquals("LANG=de_DE.UTF-8\n", text(m.get("/etc/default/locale")));
        byte[] gen = ((Content.Edit) m.get("/etc/locale.gen").content()).change()
                .apply("# de_DE ISO-8859-1\n# de_DE.UTF-8 UTF-8\nen_GB.UTF-8 UTF-8\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("# de_DE ISO-8859-1\nde_DE.UTF-8 UTF-8\nen_GB.UTF-8 UTF-8\n", new String(gen, StandardCharsets.UTF_8));
        assertEquals(new String(gen, StandardCharsets.UTF_8), new String(HeadlessRecipe.enableLocale(gen, "de_DE.UTF-8"),
                StandardCharsets.UTF_8), "re-applying changes nothing");
        assertTrue(m.containsKey("/etc/systemd/system/multi-user.target.wants/hydrapi-locale-gen.service"));
    }

    @Test
    void specs_refuseAZoneOrLocaleTheImageLacks() throws Exception {
        HeadlessSettings zone = HeadlessSettings.of(null, null, null, "Europe/Berlin", null);
        HeadlessRecipe.Facts noZone = new HeadlessRecipe.Facts(List.of(), true, false, true, true);
        assertTrue(assertThrows(InvalidInputException.class, () -> HeadlessRecipe.specs(zone, noZone, "/boot"))
                .getMessage().contains("/usr/share/zoneinfo/Europe/Berlin"));
        HeadlessSettings locale = HeadlessSettings.of(null, null, null, null, "de_DE.UTF-8");
        HeadlessRecipe.Facts noGen = new HeadlessRecipe.Facts(List.of(), true, false, false, true);
        assertTrue(assertThrows(InvalidInputException.class, () -> HeadlessRecipe.specs(locale, noGen, "/boot"))
                .getMessage().contains("locale-gen"));
    }

    @Test
    void nmConnection_writesAnAwkwardSsidAsBytes() {
        String k = HeadlessRecipe.nmConnection("a;b", "0".repeat(64));
        assertTrue(k.contains("\nssid=97;59;98;\n"), k);
        assertTrue(HeadlessRecipe.nmConnection(" lead", "0".repeat(64)).contains("\nssid=32;108;101;97;100;\n"));
        assertEquals(HeadlessRecipe.nmConnection("x", "0".repeat(64)), HeadlessRecipe.nmConnection("x", "0".repeat(64)),
                "reproducible");
    }

    private static String text(FileSpec f) {
        return new String(((Content.Bytes) f.content()).bytes(), StandardCharsets.UTF_8);
    }
}
