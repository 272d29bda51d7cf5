// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.InvalidInputException;
import hydrapi.plan.Content;
import hydrapi.plan.FileSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HydraRecipeTest {

    static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZ0bXq alice@laptop";

    @TempDir
    Path tmp;

    static HydraOptions options(Pin pin, Path passwordFile, boolean reproducible) {
        return new HydraOptions("hydra", "alice", List.of(KEY), null, passwordFile, pin, null, null,
                "alice@example.org", 4, false, Instant.parse("2026-01-01T00:00:00Z"), reproducible, "/boot/firmware");
    }

    static Map<String, FileSpec> byPath(List<FileSpec> specs) {
        Map<String, FileSpec> m = new TreeMap<>();
        for (FileSpec s : specs) {
            m.put(s.path(), s);
        }
        assertEquals(specs.size(), m.size(), "one spec per path");
        return m;
    }

    static String text(FileSpec s) {
        return new String(((Content.Bytes) s.content()).bytes(), StandardCharsets.UTF_8);
    }

    /** §8 of hydra-first-boot.md: path → mode, owner root:root unless given. */
    @Test
    void specs_modesAndOwnersFollowTheInjectionTable() throws Exception {
        for (Pin pin : Pin.values()) {
            Map<String, FileSpec> m = byPath(new HydraRecipe(options(pin, null, true), SampleRootfs.snapshot()).specs());
            Map<String, Integer> modes = new TreeMap<>(Map.ofEntries(
                    Map.entry("/etc/systemd/system/hydra-firstboot.service", 0644),
                    Map.entry("/usr/lib/systemd/system-preset/50-hydra-firstboot.preset", 0644),
                    Map.entry("/usr/local/lib/hydra-firstboot/run", 0755),
                    Map.entry("/usr/local/lib/hydra-firstboot/lib.sh", 0644),
                    Map.entry("/usr/local/lib/hydra-firstboot/hydra-prestart", 0755),
                    Map.entry("/etc/hydra-firstboot/config.env", 0600),
                    Map.entry("/etc/hydra/hydra.env", 0644),
                    Map.entry("/etc/profile.d/hydra.sh", 0644),
                    Map.entry("/etc/hydra/hydra.conf.in", 0644),
                    Map.entry("/etc/systemd/system/hydra-init.service", 0644),
                    Map.entry("/etc/systemd/system/hydra-server.service", 0644),
                    Map.entry("/etc/systemd/system/hydra-evaluator.service", 0644),
                    Map.entry("/etc/systemd/system/hydra-queue-runner.service", 0644),
                    Map.entry("/etc/apt/apt.conf.d/80hydra-firstboot", 0644),
                    Map.entry("/etc/update-motd.d/60-hydra-firstboot", 0755),
                    Map.entry("/var/lib/hydra-firstboot", 0700),
                    Map.entry("/var/lib/hydra-firstboot/state", 0700),
                    Map.entry("/etc/passwd", 0644),
                    Map.entry("/etc/group", 0644),
                    Map.entry("/etc/hostname", 0644)));
            for (String stage : FirstbootFiles.STAGES) {
                modes.put("/usr/local/lib/hydra-firstboot/stages/" + stage + ".sh", 0755);
            }
            for (Map.Entry<String, Integer> e : modes.entrySet()) {
                FileSpec s = m.get(e.getKey());
                assertTrue(s != null, pin + ": missing " + e.getKey());
                assertEquals(Integer.toOctalString(e.getValue()), Integer.toOctalString(s.mode()), e.getKey());
                assertEquals(0, s.uid(), e.getKey());
                assertEquals(0, s.gid(), e.getKey());
            }
            FileSpec log = m.get("/var/log/hydra-firstboot");
            assertEquals(0750, log.mode());
            assertEquals(4, log.gid(), "root:adm, adm's GID from the sample's group file");
            FileSpec link = m.get("/etc/systemd/system/multi-user.target.wants/hydra-firstboot.service");
            assertEquals(FileSpec.Type.SYMLINK, link.type());
            assertEquals("../hydra-firstboot.service", link.linkTarget());
            assertEquals(pin == Pin.MODERN, m.containsKey("/etc/systemd/system/hydra-notify.service"), pin.id());
            assertFalse(m.containsKey("/etc/machine-id"));
            // Every file with content is root-owned except the admin's own.
            for (FileSpec s : m.values()) {
                if (s.path().startsWith("/home/alice")) {
                    assertEquals(1000, s.uid(), s.path());
                    assertEquals(1000, s.gid(), s.path());
                } else if (!s.path().equals("/etc/shadow") && !s.path().equals("/etc/gshadow")
                        && !s.path().equals("/var/log/hydra-firstboot")) {
                    assertEquals(0, s.gid(), s.path());
                    assertEquals(0, s.uid(), s.path());
                }
            }
            assertEquals(0600, m.get("/home/alice/.ssh/authorized_keys").mode());
            assertEquals(KEY + "\n", text(m.get("/home/alice/.ssh/authorized_keys")));
            assertEquals(0700, m.get("/home/alice/.ssh").mode());
            assertEquals(0700, m.get("/home/alice").mode());
        }
    }

    @Test
    void specs_shadowFilesKeep0640RootShadow() throws Exception {
        String group = SampleRootfs.file("/etc/group").replace("shadow:x:42:", "shadow:x:43:");
        AccountSnapshot snap = new AccountSnapshot(SampleRootfs.file("/etc/passwd"), group);
        Map<String, FileSpec> m = byPath(new HydraRecipe(options(Pin.MODERN, null, true), snap).specs());
        for (String p : List.of("/etc/shadow", "/etc/gshadow")) {
            assertEquals(0640, m.get(p).mode(), p);
            assertEquals(0, m.get(p).uid(), p);
            assertEquals(43, m.get(p).gid(), p + ": the gid of group shadow in the image's group file");
        }
    }

    @Test
    void specs_containNoPlaintextPasswordAndAVerifiableHash() throws Exception {
        String password = "correct horse battery staple";
        Path pw = tmp.resolve("pw");
        Files.writeString(pw, password + "\n");
        List<FileSpec> specs = new HydraRecipe(options(Pin.LEGACY_2016, pw, false), SampleRootfs.snapshot()).specs();
        String shadow = null;
        for (FileSpec s : specs) {
            String body;
            if (s.content() instanceof Content.Bytes b) {
                body = new String(b.bytes(), StandardCharsets.UTF_8);
            } else if (s.content() instanceof Content.Edit e) {
                String base = s.path().startsWith("/etc/") && List.of("/etc/passwd", "/etc/group", "/etc/shadow",
                        "/etc/gshadow").contains(s.path()) ? SampleRootfs.file(s.path()) : "";
                body = e.description() + "\n" + new String(e.change().apply(base.getBytes(StandardCharsets.UTF_8)),
                        StandardCharsets.UTF_8);
                if (s.path().equals("/etc/shadow")) {
                    shadow = body;
                }
            } else {
                body = String.valueOf(s.content()) + s.linkTarget();
            }
            assertFalse(body.contains(password), s.path() + " holds the plaintext password");
            assertFalse(body.contains("correct horse"), s.path());
        }
        String line = shadow.lines().filter(l -> l.startsWith("alice:")).findFirst().orElseThrow();
        String hash = line.split(":")[1];
        assertTrue(hash.startsWith("$6$"), hash);
        String salt = hash.split("\\$")[2];
        Process p = new ProcessBuilder("openssl", "passwd", "-6", "-salt", salt, "-stdin").start();
        p.getOutputStream().write((password + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertEquals(hash, new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        assertFalse(specs.stream().anyMatch(s -> s.path().startsWith("/etc/sudoers.d/")),
                "a password was given, so sudo keeps asking for it");
    }

    @Test
    void specs_saltIsDerivedOnlyWithSourceDateEpoch() throws Exception {
        Path pw = tmp.resolve("pw");
        Files.writeString(pw, "s3cret");
        assertEquals(shadowOf(options(Pin.MODERN, pw, true)), shadowOf(options(Pin.MODERN, pw, true)));
        assertNotEquals(shadowOf(options(Pin.MODERN, pw, false)), shadowOf(options(Pin.MODERN, pw, false)));
    }

    private static String shadowOf(HydraOptions o) throws Exception {
        FileSpec s = byPath(new HydraRecipe(o, SampleRootfs.snapshot()).specs()).get("/etc/shadow");
        return new String(((Content.Edit) s.content()).change().apply(SampleRootfs.file("/etc/shadow")
                .getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void specs_noPasswordLocksAndAllowsPasswordlessSudo() throws Exception {
        Map<String, FileSpec> m = byPath(new HydraRecipe(options(Pin.MODERN, null, true), SampleRootfs.snapshot()).specs());
        assertTrue(shadowOf(options(Pin.MODERN, null, true)).contains("\nalice:!:"));
        FileSpec sudo = m.get("/etc/sudoers.d/010_alice-nopasswd");
        assertEquals(0440, sudo.mode());
        assertEquals("alice ALL=(ALL) NOPASSWD: ALL\n", text(sudo));
    }

    @Test
    void specs_disarmRenameFlowAndEnableSsh() throws Exception {
        Map<String, FileSpec> m = byPath(new HydraRecipe(options(Pin.MODERN, null, true), SampleRootfs.snapshot()).specs());
        assertEquals("/dev/null", m.get("/etc/systemd/system/userconfig.service").linkTarget());
        assertEquals("/lib/systemd/system/getty@.service",
                m.get("/etc/systemd/system/getty.target.wants/getty@tty1.service").linkTarget());
        assertFalse(text(m.get("/etc/ssh/sshd_config.d/rename_user.conf")).contains("Banner"));
        assertEquals("/lib/systemd/system/ssh.service",
                m.get("/etc/systemd/system/multi-user.target.wants/ssh.service").linkTarget());
        assertTrue(m.containsKey("/boot/firmware/ssh"));
        assertEquals("hydra\n", text(m.get("/etc/hostname")));
    }

    @Test
    void specs_timesyncClockOnlyWhereTimesyncdHasItsAccount() throws Exception {
        HydraOptions o = options(Pin.MODERN, null, true);
        assertFalse(byPath(new HydraRecipe(o, SampleRootfs.snapshot()).specs()).containsKey(HydraRecipe.TIMESYNC_CLOCK));
        AccountSnapshot s = SampleRootfs.snapshot();
        AccountSnapshot withTimesync = new AccountSnapshot(
                s.passwd() + "systemd-timesync:x:990:991:systemd Time Synchronization:/:/usr/sbin/nologin\n",
                s.group() + "systemd-timesync:x:991:\n");
        FileSpec clock = byPath(new HydraRecipe(o, withTimesync).specs()).get(HydraRecipe.TIMESYNC_CLOCK);
        assertEquals(0644, clock.mode());
        assertEquals(990, clock.uid());
        assertEquals(991, clock.gid());
        assertEquals(0, ((Content.Bytes) clock.content()).bytes().length);
    }

    /** The modern pin's inputs are full revisions and hashes, never abbreviations or "whatever the server says". */
    @Test
    void configEnv_modernPinsFullNixpkgsRevAndInstallerHash() throws Exception {
        String config = text(byPath(new HydraRecipe(options(Pin.MODERN, null, true), SampleRootfs.snapshot()).specs())
                .get("/etc/hydra-firstboot/config.env"));
        assertTrue(config.matches("(?s).*\nNIXPKGS_REV='[0-9a-f]{40}'\n.*"), config);
        assertTrue(config.matches("(?s).*\nNIX_INSTALLER_SHA256='[0-9a-f]{64}'\n.*"), config);
    }

    @Test
    void hostsWithName_replacesTheDebianLineOnce() throws Exception {
        byte[] hosts = "127.0.0.1\tlocalhost\n::1\t\tlocalhost\n127.0.1.1\traspberrypi\n".getBytes(StandardCharsets.UTF_8);
        byte[] once = HydraRecipe.hostsWithName(hosts, "hydra");
        assertEquals("127.0.0.1\tlocalhost\n::1\t\tlocalhost\n127.0.1.1\thydra\n", new String(once, StandardCharsets.UTF_8));
        assertEquals(new String(once, StandardCharsets.UTF_8),
                new String(HydraRecipe.hostsWithName(once, "hydra"), StandardCharsets.UTF_8));
        assertEquals("127.0.0.1 localhost\n127.0.1.1\thydra\n", new String(HydraRecipe.hostsWithName(
                "127.0.0.1 localhost\n".getBytes(StandardCharsets.UTF_8), "hydra"), StandardCharsets.UTF_8));
    }

    @Test
    void hydraEnv_parsesTheSameInBashAndHoldsWhatThePinNeeds() throws Exception {
        for (Pin pin : Pin.values()) {
            Map<String, FileSpec> m = byPath(new HydraRecipe(options(pin, null, true), SampleRootfs.snapshot()).specs());
            Path env = tmp.resolve("hydra.env");
            Files.writeString(env, text(m.get("/etc/hydra/hydra.env")));
            String out = bash("set -a; . " + env + "; printf '%s|%s|%s|%s' \"$HYDRA_DBI\" \"$HYDRA_DATA\" "
                    + "\"$HYDRA_CONFIG\" \"${HYDRA_HOME-unset}\"");
            String home = pin == Pin.LEGACY_2016 ? "/usr/local/libexec/hydra" : "unset";
            assertEquals("dbi:Pg:dbname=hydra;user=hydra;|/var/lib/hydra|/var/lib/hydra/hydra.conf|" + home, out);

            Path config = tmp.resolve("config.env");
            Files.writeString(config, text(m.get("/etc/hydra-firstboot/config.env")));
            assertEquals(pin.id() + "|" + pin.hydraRev() + "|" + pin.nixVersion() + "|1767225600",
                    bash(". " + config + "; printf '%s|%s|%s|%s' \"$PIN\" \"$HYDRA_REV\" \"$NIX_VERSION\" \"$NOT_BEFORE\""));
        }
    }

    @Test
    void specs_hydraSourceIsVerifiedAndPreseeded() throws Exception {
        Path top = tmp.resolve("hydra-993647d");
        Files.createDirectories(top);
        Files.writeString(top.resolve("version"), "0.1\n");
        Path tarball = tmp.resolve("hydra.tar.gz");
        Process p = new ProcessBuilder("tar", "-C", tmp.toString(), "-czf", tarball.toString(), "hydra-993647d").start();
        assertEquals(0, p.waitFor());
        String actual = NarHash.ofTarball(tarball);
        HydraOptions wrong = new HydraOptions("hydra", "alice", List.of(), null, null, Pin.LEGACY_2016, tarball, null,
                null, 2, false, Instant.EPOCH, true, "/boot/firmware");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new HydraRecipe(wrong, SampleRootfs.snapshot()).specs());
        assertTrue(e.getMessage().contains(actual) && e.getMessage().contains(Pin.LEGACY_2016.narHash()), e.getMessage());

        HydraOptions right = new HydraOptions("hydra", "alice", List.of(), null, null, Pin.LEGACY_2016, tarball, actual,
                null, 2, false, Instant.EPOCH, true, "/boot/firmware");
        Map<String, FileSpec> m = byPath(new HydraRecipe(right, SampleRootfs.snapshot()).specs());
        FileSpec seeded = m.get("/var/cache/hydra-firstboot/src/hydra-" + Pin.LEGACY_2016.hydraRev() + ".tar.gz");
        assertEquals(new Content.HostFile(tarball), seeded.content());
        assertEquals(0644, seeded.mode());
        String config = text(m.get("/etc/hydra-firstboot/config.env"));
        assertTrue(config.contains("HYDRA_NAR_HASH_BASE32='" + Nix32.encode(NarHash.parse(actual)) + "'"), config);
    }

    @Test
    void options_rejectBadValuesWithOneLineMessages() {
        List<HydraOptions> bad = List.of(
                new HydraOptions("bad_host", "alice", List.of(), null, null, Pin.MODERN, null, null, null, 4, false,
                        Instant.EPOCH, true, "/boot/firmware"),
                new HydraOptions("h", "root", List.of(), null, null, Pin.MODERN, null, null, null, 4, false,
                        Instant.EPOCH, true, "/boot/firmware"),
                new HydraOptions("h", "alice", List.of(), "plaintext", null, Pin.MODERN, null, null, null, 4, false,
                        Instant.EPOCH, true, "/boot/firmware"),
                new HydraOptions("h", "alice", List.of("not a key"), null, null, Pin.MODERN, null, null, null, 4, false,
                        Instant.EPOCH, true, "/boot/firmware"),
                new HydraOptions("h", "alice", List.of(), null, null, Pin.MODERN, null, null, null, 0, false,
                        Instant.EPOCH, true, "/boot/firmware"));
        for (HydraOptions o : bad) {
            InvalidInputException e = assertThrows(InvalidInputException.class, o::validate);
            assertFalse(e.getMessage().contains("\n"));
            assertFalse(e.getMessage().contains("plaintext"), "a bad hash must not be echoed");
        }
    }

    @Test
    void specs_formAValidImagePlanForBothPins() throws Exception {
        for (Pin pin : Pin.values()) {
            List<FileSpec> specs = new HydraRecipe(options(pin, null, true), SampleRootfs.snapshot()).specs();
            hydrapi.plan.ImagePlan plan = hydrapi.plan.ImagePlan.of(specs);
            assertEquals(specs.size(), plan.files().size(), pin.id());
            // Every directory the recipe creates comes before what it holds.
            List<String> paths = plan.files().stream().map(FileSpec::path).toList();
            assertTrue(paths.indexOf("/var/lib/hydra-firstboot") < paths.indexOf("/var/lib/hydra-firstboot/state"));
        }
    }

    @Test
    void skelCopy_onlyForANewAdmin() throws Exception {
        assertEquals(Optional.of(new SkelCopy("/etc/skel", "/home/alice", 1000, 1000)),
                new HydraRecipe(options(Pin.MODERN, null, true), SampleRootfs.snapshot()).skelCopy());
        AccountSnapshot withAlice = new AccountSnapshot(
                SampleRootfs.file("/etc/passwd") + "alice:x:1001:1001::/home/alice:/bin/bash\n",
                SampleRootfs.file("/etc/group"));
        assertEquals(Optional.empty(), new HydraRecipe(options(Pin.MODERN, null, true), withAlice).skelCopy());
    }

    @Test
    void firstbootFiles_listEveryFileOfTheCheckout() throws Exception {
        TreeSet<String> onDisk = new TreeSet<>();
        for (String dir : List.of("firstboot", "overlays/hydra")) {
            try (Stream<Path> s = Files.walk(Path.of(dir))) {
                s.filter(Files::isRegularFile).forEach(p -> onDisk.add(p.toString().replace('\\', '/')));
            }
        }
        TreeSet<String> listed = new TreeSet<>();
        for (FirstbootFiles.Entry e : FirstbootFiles.ENTRIES) {
            listed.add(e.resource());
            FirstbootFiles.read(e.resource());
        }
        assertEquals(onDisk, listed);
    }

    static String bash(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
