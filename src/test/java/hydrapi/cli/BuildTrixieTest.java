// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 13: today's Raspberry Pi OS. Sample images of each first-boot mechanism (testdata/make-sample.sh styles:
 * bookworm's init=…/firstboot, trixie with cloud-init and its seeds, trixie's 2025-10-01 cloud-init without seeds,
 * trixie's resize alone) are told apart by their contents and recorded in the manifest; on trixie, hydrapi switches
 * cloud-init off and keeps the Pi's own first-boot machinery; Wi-Fi, country, time zone and locale land where
 * Raspberry Pi OS reads them, the Wi-Fi passphrase nowhere. Judged by debugfs, mtools, jq, fsck and python3.
 */
class BuildTrixieTest {

    static final String PASSPHRASE = "correct horse battery staple";
    static final String SSID = "Hydra Lab";

    @TempDir
    static Path tmp;
    static Path cloudInit;

    @BeforeAll
    static void samples() throws Exception {
        cloudInit = Samples.make(tmp.resolve("trixie-cloudinit.img.xz"), Map.of("STYLE", "trixie-cloudinit"));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"bookworm, raspberrypi-sys-mods-firstboot", "trixie, resize", "trixie-cloudinit, cloud-init",
        "trixie-unseeded, cloud-init-unseeded"})
    void build_recordsTheBasesOwnFirstBootMechanism(String style, String mechanism) throws Exception {
        Path base = style.equals("bookworm") ? Samples.sampleXz()
                : style.equals("trixie-cloudinit") ? cloudInit
                : Samples.make(tmp.resolve(style + ".img.xz"), Map.of("STYLE", style));
        Path out = tmp.resolve(style + "-out.img.xz");
        Cli.Run r = Cli.run("build", "--base", base.toString(), "--out", out.toString(), "--ssh");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.out().contains("base's own first boot: " + mechanism + "\n"), r.out());
        Oracles.check("jq", "-e", ".hydrapi_manifest == 3 and .first_boot == \"" + mechanism + "\"",
                out + ".manifest.json");
    }

    @Test
    void build_onTrixieWithCloudInit_switchesItOffAndKeepsThePisOwnFirstBoot() throws Exception {
        Path key = tmp.resolve("id.pub");
        Files.writeString(key, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPrX3XUdV3pr5Tr9CAT8e8mTXSw6bPhDrUXbJA0n7bc3 a@b\n");
        Path psk = Files.writeString(tmp.resolve("psk"), PASSPHRASE + "\n");
        Path out = tmp.resolve("hydra.img.xz");
        Cli.Run r = Cli.run("build", "--base", cloudInit.toString(), "--out", out.toString(), "--user", "alice",
                "--ssh-key", key.toString(), "--hostname", "hydra", "--hydra-pin", "modern", "--wifi-ssid", SSID,
                "--wifi-psk-file", psk.toString(), "--wifi-country", "DE", "--timezone", "Europe/Berlin",
                "--locale", "de_DE.UTF-8", "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        Path raw = tmp.resolve("hydra.img");
        Oracles.xzDecompress(out, raw);
        Path base = tmp.resolve("base.img");
        Oracles.xzDecompress(cloudInit, base);
        long root = Samples.ROOT_OFFSET;
        Oracles.assertE2fsckClean(raw, root);
        Oracles.assertE2fsckFixesNothing(raw, root, Samples.ROOT_SIZE);
        Oracles.assertFsckFatClean(raw, Samples.BOOT_OFFSET, Samples.BOOT_SIZE);

        // cloud-init off, by its own switch; the seeds stay as the Pi had them.
        assertTrue(debugfsText(raw, "/etc/cloud/cloud-init.disabled").startsWith("# Written by hydrapi"));
        for (String seed : List.of("/user-data", "/meta-data", "/network-config")) {
            assertArrayEquals(Oracles.mtype(base, Samples.BOOT_OFFSET, seed), Oracles.mtype(raw, Samples.BOOT_OFFSET,
                    seed), seed);
        }
        // The Pi's own first boot: machine-id, " resize", the PARTUUIDs.
        assertEquals("uninitialized\n", debugfsText(raw, "/etc/machine-id"));
        String cmdline = new String(Oracles.mtype(raw, Samples.BOOT_OFFSET, "/cmdline.txt"), StandardCharsets.UTF_8);
        assertTrue(cmdline.matches("console=serial0,115200 console=tty1 root=PARTUUID=5ee1e2a3-02 rootfstype=ext4 "
                + "fsck.repair=yes rootwait resize cfg80211.ieee80211_regdom=DE\n"), cmdline);
        assertEquals(Oracles.run("sfdisk", "--disk-id", base.toString()).out(),
                Oracles.run("sfdisk", "--disk-id", raw.toString()).out());

        // Accounts: pi stays locked, alice logs in with a shell, sudo and her key; no host key is shipped.
        String passwd = debugfsText(raw, "/etc/passwd");
        String shadow = debugfsText(raw, "/etc/shadow");
        assertTrue(passwd.contains("\npi:x:1000:1000:,,,:/home/pi:/usr/sbin/nologin\n"), passwd);
        assertTrue(shadow.contains("\npi:!:"), shadow);
        assertTrue(Pattern.compile("^alice:x:\\d+:\\d+:[^:]*:/home/alice:/bin/bash$", Pattern.MULTILINE)
                .matcher(passwd).find(), passwd);
        assertTrue(Pattern.compile("^sudo:x:27:.*\\balice\\b", Pattern.MULTILINE).matcher(debugfsText(raw,
                "/etc/group")).find());
        assertEquals("alice ALL=(ALL) NOPASSWD: ALL\n", debugfsText(raw, "/etc/sudoers.d/010_alice-nopasswd"));
        assertArrayEquals(Files.readAllBytes(key), Oracles.debugfsCat(raw, root, "/home/alice/.ssh/authorized_keys"));
        String ls = Oracles.run("debugfs", "-R", "ls -l /etc/ssh", raw + "?offset=" + root).out();
        assertFalse(ls.contains("ssh_host_"), ls);
        assertTrue(Oracles.debugfsStat(raw, root, "/etc/systemd/system/multi-user.target.wants/ssh.service")
                .contains("Type: symlink"));
        assertEquals("", new String(Oracles.mtype(raw, Samples.BOOT_OFFSET, "/ssh"), StandardCharsets.UTF_8));

        // Wi-Fi: a 0600 root keyfile with the derived key, which python3 derives alike; the passphrase nowhere.
        String nm = "/etc/NetworkManager/system-connections/preconfigured.nmconnection";
        String keyfile = debugfsText(raw, nm);
        String expected = Oracles.run("python3", "-c", "import hashlib,sys;print(hashlib.pbkdf2_hmac('sha1',"
                + "sys.argv[1].encode(),sys.argv[2].encode(),4096,32).hex())", PASSPHRASE, SSID).out().strip();
        assertTrue(keyfile.contains("\nssid=" + SSID + "\n") && keyfile.contains("\npsk=" + expected + "\n"), keyfile);
        String stat = Oracles.debugfsStat(raw, root, nm);
        assertTrue(stat.matches("(?s).*Mode:\\s+0600.*") && stat.matches("(?s).*User:\\s+0\\s.*"), stat);
        assertFalse(contains(Files.readAllBytes(raw), PASSPHRASE.getBytes(StandardCharsets.UTF_8)),
                "the passphrase is in the image's bytes");
        for (String radio : List.of("platform-3f300000.mmcnr", "platform-fe300000.mmcnr", "platform-1001100000.mmc")) {
            assertEquals("0\n", debugfsText(raw, "/var/lib/systemd/rfkill/" + radio + ":wlan"), radio);
        }
        // Time zone and locale where tzdata and locales read them.
        assertEquals("Europe/Berlin\n", debugfsText(raw, "/etc/timezone"));
        assertTrue(Oracles.debugfsStat(raw, root, "/etc/localtime").contains("Fast link dest: "
                + "\"/usr/share/zoneinfo/Europe/Berlin\""));
        assertEquals("LANG=de_DE.UTF-8\n", debugfsText(raw, "/etc/default/locale"));
        assertTrue(debugfsText(raw, "/etc/locale.gen").contains("\nde_DE.UTF-8 UTF-8\n"));
        Oracles.check("jq", "-e", ".first_boot == \"cloud-init\"", out + ".manifest.json");
    }

    @Test
    void build_settingsTheImageCannotHonourAreRefusedByName() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("refused"));
        // The bookworm sample has no tzdata and no locales.
        Cli.Run locale = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                out.resolve("o.img.xz").toString(), "--locale", "de_DE.UTF-8");
        assertEquals(2, locale.exitCode(), locale.stderr());
        assertTrue(locale.stderr().contains("locale-gen"), locale.stderr());
        Cli.Run zone = Cli.run("build", "--base", cloudInit.toString(), "--out", out.resolve("o.img.xz").toString(),
                "--timezone", "Asia/Tokyo");
        assertEquals(2, zone.exitCode(), zone.stderr());
        assertTrue(zone.stderr().contains("/usr/share/zoneinfo/Asia/Tokyo"), zone.stderr());
        Path psk = Files.writeString(tmp.resolve("short"), "short\n");
        Cli.Run wifi = Cli.run("build", "--base", cloudInit.toString(), "--out", out.resolve("o.img.xz").toString(),
                "--wifi-ssid", "x", "--wifi-psk-file", psk.toString(), "--wifi-country", "DE");
        assertEquals(2, wifi.exitCode(), wifi.stderr());
        assertTrue(wifi.stderr().contains("8 to 63"), wifi.stderr());
        try (var s = Files.list(out)) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void signerLine_namesRaspberryPisKeysAndOnlyThem() {
        hydrapi.trust.BuildManifest.Base pi = new hydrapi.trust.BuildManifest.Base("x.img.xz", null, "ab".repeat(32),
                hydrapi.trust.BuildManifest.SignatureStatus.VERIFIED, "F4AADD86C4687D69AE04543E796C114AD12B2292");
        assertTrue(BuildCommand.signerLine(pi).endsWith("(Raspberry Pi Downloads Signing Key, images from 2025-11-24)"));
        hydrapi.trust.BuildManifest.Base old = new hydrapi.trust.BuildManifest.Base("x.img.xz", null, "ab".repeat(32),
                hydrapi.trust.BuildManifest.SignatureStatus.VERIFIED, "54C3DD610D9D1B4AF82A37758738CD6B956F460C");
        assertTrue(BuildCommand.signerLine(old).endsWith("images up to 2025-10-01)"));
        hydrapi.trust.BuildManifest.Base other = new hydrapi.trust.BuildManifest.Base("x.img.xz", null,
                "ab".repeat(32), hydrapi.trust.BuildManifest.SignatureStatus.VERIFIED, "0".repeat(40));
        assertTrue(BuildCommand.signerLine(other).contains("not one of Raspberry Pi's keys"));
    }

    private static String debugfsText(Path raw, String path) throws Exception {
        return new String(Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, path), StandardCharsets.UTF_8);
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        return m.find() ? m.group(1) : null;
    }
}
