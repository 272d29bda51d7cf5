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
import java.util.ArrayList;
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
        return new HydraOptions("hydra", "alice", List.of(KEY), null, passwordFile, pin, PinnedSources.of(pin),
                "alice@example.org", 4, false, Instant.parse("2026-01-01T00:00:00Z"), reproducible, "/boot/firmware", List.of());
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

    /** hydra-first-boot.md §8: path → mode, owner root:root unless given. */
    @Test
    void specs_modesAndOwnersFollowTheInjectionTable() throws Exception {
        for (Pin pin : Pin.values()) {
            Map<String, FileSpec> m = byPath(new HydraRecipe(options(pin, null, true), SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs());
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
        Map<String, FileSpec> m = byPath(new HydraRecipe(options(Pin.MODERN, null, true), snap, ImageRelease.UNKNOWN).specs());
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
        List<FileSpec> specs = new HydraRecipe(options(Pin.LEGACY_2016, pw, false), SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs();
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
        FileSpec s = byPath(new HydraRecipe(o, SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs()).get("/etc/shadow");
        return new String(((Content.Edit) s.content()).change().apply(SampleRootfs.file("/etc/shadow")
                .getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void specs_noPasswordLocksAndAllowsPasswordlessSudo() throws Exception {
        Map<String, FileSpec> m = byPath(new HydraRecipe(options(Pin.MODERN, null, true), SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs());
        assertTrue(shadowOf(options(Pin.MODERN, null, true)).contains("\nalice:!:"));
        FileSpec sudo = m.get("/etc/sudoers.d/010_alice-nopasswd");
        assertEquals(0440, sudo.mode());
        assertEquals("alice ALL=(ALL) NOPASSWD: ALL\n", text(sudo));
    }

    @Test
    void specs_disarmRenameFlowAndEnableSsh() throws Exception {
        Map<String, FileSpec> m = byPath(new HydraRecipe(options(Pin.MODERN, null, true), SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs());
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
        assertFalse(byPath(new HydraRecipe(o, SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs()).containsKey(HydraRecipe.TIMESYNC_CLOCK));
        AccountSnapshot s = SampleRootfs.snapshot();
        AccountSnapshot withTimesync = new AccountSnapshot(
                s.passwd() + "systemd-timesync:x:990:991:systemd Time Synchronization:/:/usr/sbin/nologin\n",
                s.group() + "systemd-timesync:x:991:\n");
        FileSpec clock = byPath(new HydraRecipe(o, withTimesync, ImageRelease.UNKNOWN).specs()).get(HydraRecipe.TIMESYNC_CLOCK);
        assertEquals(0644, clock.mode());
        assertEquals(990, clock.uid());
        assertEquals(991, clock.gid());
        assertEquals(0, ((Content.Bytes) clock.content()).bytes().length);
    }

    /** The modern pin's inputs are full revisions and hashes, never abbreviations or "whatever the server says". */
    @Test
    void configEnv_modernPinsFullNixpkgsRevAndInstallerHash() throws Exception {
        String config = text(byPath(new HydraRecipe(options(Pin.MODERN, null, true), SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs())
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
            Map<String, FileSpec> m = byPath(new HydraRecipe(options(pin, null, true), SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs());
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
    void specs_resolvedSourcesArePreseededAndConfiguredTheRestLeftToThePi() throws Exception {
        Path nix = Files.writeString(tmp.resolve("nix.tar.xz"), "nix");
        Path hydra = Files.writeString(tmp.resolve("h.tar.gz"), "hydra");
        Path dist = Files.writeString(tmp.resolve("Digest-SHA1-2.13.tar.gz"), "cpan");
        PinnedSources pinned = PinnedSources.of(Pin.LEGACY_2016);
        List<PinnedSources.Source> cpan = new ArrayList<>(pinned.cpan());
        int digest = cpan.indexOf(cpan.stream().filter(c -> c.name().equals("Digest-SHA1-2.13.tar.gz")).findFirst()
                .orElseThrow());
        cpan.set(digest, cpan.get(digest).withFile(dist));
        // Nix and one CPAN file resolved by the build; Hydra's name as the resolver gives it; the rest for the Pi.
        PinnedSources sources = pinned.withNix(pinned.nix().withFile(nix)).withCpan(cpan)
                .withHydra(new PinnedSources.Source("hydra-x.tar.gz", pinned.hydra().url(), pinned.hydra().hash(),
                        hydra));
        HydraOptions o = new HydraOptions("hydra", "alice", List.of(), null, null, Pin.LEGACY_2016, sources, null, 2,
                false, Instant.EPOCH, true, "/boot/firmware", List.of());
        Map<String, FileSpec> m = byPath(new HydraRecipe(o, SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs());
        assertEquals(new Content.HostFile(nix), m.get("/var/cache/hydra-firstboot/src/nix-1.11.16.tar.xz").content());
        assertEquals(new Content.HostFile(hydra), m.get("/var/cache/hydra-firstboot/src/hydra-x.tar.gz").content());
        FileSpec seeded = m.get("/var/cache/hydra-firstboot/src/cpan/Digest-SHA1-2.13.tar.gz");
        assertEquals(new Content.HostFile(dist), seeded.content());
        assertEquals(0644, seeded.mode());
        assertFalse(m.containsKey("/var/cache/hydra-firstboot/src/cpan/Crypt-RandPasswd-0.06.tar.gz"));

        // What stage 04 and 07 read, as bash reads it.
        Path config = Files.writeString(tmp.resolve("config.env"), text(m.get("/etc/hydra-firstboot/config.env")));
        String got = bash(". " + config + "; printf '%s|%s|%s|%s' \"$NIX_TARBALL_SHA256\" \"$HYDRA_SOURCE\" "
                + "\"$HYDRA_NAR_HASH_BASE32\" \"$CPAN_MODULES\"");
        assertEquals(pinned.nix().hash() + "|/var/cache/hydra-firstboot/src/hydra-x.tar.gz|"
                + Nix32.encode(NarHash.parse(Pin.LEGACY_2016.narHash())) + "|" + String.join(" ",
                PinnedSources.CPAN_MODULES), got);
        String dists = bash(". " + config + "; for d in $CPAN_DISTS; do echo \"${d%%=*} ${d#*=}\"; done");
        assertEquals(7, dists.lines().count(), dists);
        assertTrue(dists.contains("68c1dac2187421f0eb7abf71452a06f190181b8fc4b28ededf5b90296fb943cc "
                + "https://cpan.metacpan.org/authors/id/G/GA/GAAS/Digest-SHA1-2.13.tar.gz\n"), dists);
    }

    @Test
    void specs_jobsetDirectoryIsCopiedForHydraAndListedForStage13() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("smoke"));
        Files.writeString(dir.resolve("release.nix"), "{ }\n");
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/HEAD"), "ref\n");
        Files.createDirectories(dir.resolve("sub"));
        Path script = Files.writeString(dir.resolve("sub/build.sh"), "#!/bin/sh\n");
        script.toFile().setExecutable(true);
        List<Jobset> jobsets = List.of(Jobset.parse("smoke=" + dir, "--jobset"),
                Jobset.parse("remote=https://example.org/r.git#main", "--jobset"));
        HydraOptions o = new HydraOptions("hydra", "alice", List.of(), null, null, Pin.LEGACY_2016,
                PinnedSources.of(Pin.LEGACY_2016), null, 2, false, Instant.EPOCH, true, "/boot/firmware", jobsets);
        Map<String, FileSpec> m = byPath(new HydraRecipe(o, SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs());
        FileSpec release = m.get("/var/lib/hydra/jobsets/smoke/release.nix");
        FileSpec hydraUser = m.values().stream().filter(f -> f.path().equals("/etc/passwd")).findFirst().orElseThrow();
        assertEquals(0644, release.mode());
        assertEquals(0755, m.get("/var/lib/hydra/jobsets/smoke/sub/build.sh").mode());
        assertFalse(m.containsKey("/var/lib/hydra/jobsets/smoke/.git"), ".git stays behind");
        assertFalse(m.containsKey("/var/lib/hydra/jobsets/smoke/.git/HEAD"));
        String passwd = new String(((Content.Edit) hydraUser.content()).change()
                .apply(SampleRootfs.snapshot().passwd().getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        String hydraLine = passwd.lines().filter(l -> l.startsWith("hydra:")).findFirst().orElseThrow();
        assertEquals(Integer.parseInt(hydraLine.split(":")[2]), release.uid());
        assertEquals(Integer.parseInt(hydraLine.split(":")[3]), release.gid());
        assertEquals("# NAME TYPE VALUE [BRANCH]: made by hydrapi, read by stage 13.\n"
                + "smoke path /var/lib/hydra/jobsets/smoke\nremote git https://example.org/r.git main\n",
                text(m.get("/etc/hydra-firstboot/jobsets")));
    }

    @Test
    void jobset_parseRefusesWhatHydraOrTheStageCannotTake() throws Exception {
        Path noRelease = Files.createDirectories(tmp.resolve("empty"));
        for (String bad : List.of("noequals", "9bad=https://x/y.git", "a b=https://x/y.git", "ok=" + noRelease,
                "ok=/does/not/exist", "ok=https://x/y.git#bad branch")) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Jobset.parse(bad, "--jobset"),
                    bad);
            assertTrue(e.getMessage().startsWith("--jobset '"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertEquals(new Jobset("x", null, "git@github.com:o/r.git", null), Jobset.parse("x=git@github.com:o/r.git",
                "--jobset"));
    }

    @Test
    void release_refusesThePinsThatCanOnlyFailThere() throws Exception {
        HydraOptions legacy = options(Pin.LEGACY_2016, null, true);
        InvalidInputException trixie = assertThrows(InvalidInputException.class, () -> new HydraRecipe(legacy,
                SampleRootfs.snapshot(), new ImageRelease("trixie", "arm64")));
        assertTrue(trixie.getMessage().contains("trixie") && trixie.getMessage().contains("libpqxx"), trixie.getMessage());
        InvalidInputException armhf = assertThrows(InvalidInputException.class, () -> new HydraRecipe(
                options(Pin.MODERN, null, true), SampleRootfs.snapshot(), new ImageRelease("bookworm", "armhf")));
        assertTrue(armhf.getMessage().contains("armhf"), armhf.getMessage());
        // What the image runs, and what it does not tell, pass (the Pi's preflight checks the latter).
        new HydraRecipe(legacy, SampleRootfs.snapshot(), new ImageRelease("bookworm", "armhf"));
        new HydraRecipe(options(Pin.MODERN, null, true), SampleRootfs.snapshot(), new ImageRelease("trixie", "arm64"));
        new HydraRecipe(legacy, SampleRootfs.snapshot(), ImageRelease.UNKNOWN);
        // --no-hydra installs no pin, so no release refuses it.
        HydraOptions noHydra = new HydraOptions("hydra", "alice", List.of(), null, null, Pin.LEGACY_2016, null, null,
                2, true, Instant.EPOCH, true, "/boot/firmware", List.of());
        new HydraRecipe(noHydra, SampleRootfs.snapshot(), new ImageRelease("trixie", "arm64"));
    }

    @Test
    void hydraEnv_perl5libHasTheImagesArchname() throws Exception {
        String arm = HydraRecipe.hydraEnv(Pin.LEGACY_2016, new ImageRelease("bookworm", "arm64"));
        assertTrue(arm.contains("\nPERL5LIB=/usr/local/libexec/hydra/lib:/usr/local/lib/perl5/site_perl/5.36.0/"
                + "aarch64-linux-gnu-thread-multi\n"), arm);
        String unknown = HydraRecipe.hydraEnv(Pin.LEGACY_2016, ImageRelease.UNKNOWN);
        for (String a : List.of("aarch64-linux-gnu-thread-multi", "arm-linux-gnueabihf-thread-multi-64int",
                "x86_64-linux-gnu-thread-multi")) {
            assertTrue(unknown.contains(a), unknown);
        }
    }

    @Test
    void options_rejectBadValuesWithOneLineMessages() {
        List<HydraOptions> bad = List.of(
                new HydraOptions("bad_host", "alice", List.of(), null, null, Pin.MODERN, null, null, 4, false,
                        Instant.EPOCH, true, "/boot/firmware", List.of()),
                new HydraOptions("h", "root", List.of(), null, null, Pin.MODERN, null, null, 4, false,
                        Instant.EPOCH, true, "/boot/firmware", List.of()),
                new HydraOptions("h", "alice", List.of(), "plaintext", null, Pin.MODERN, null, null, 4, false,
                        Instant.EPOCH, true, "/boot/firmware", List.of()),
                new HydraOptions("h", "alice", List.of("not a key"), null, null, Pin.MODERN, null, null, 4, false,
                        Instant.EPOCH, true, "/boot/firmware", List.of()),
                new HydraOptions("h", "alice", List.of(), null, null, Pin.MODERN, null, null, 0, false,
                        Instant.EPOCH, true, "/boot/firmware", List.of()));
        for (HydraOptions o : bad) {
            InvalidInputException e = assertThrows(InvalidInputException.class, o::validate);
            assertFalse(e.getMessage().contains("\n"));
            assertFalse(e.getMessage().contains("plaintext"), "a bad hash must not be echoed");
        }
    }

    @Test
    void specs_formAValidImagePlanForBothPins() throws Exception {
        for (Pin pin : Pin.values()) {
            List<FileSpec> specs = new HydraRecipe(options(pin, null, true), SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs();
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
                new HydraRecipe(options(Pin.MODERN, null, true), SampleRootfs.snapshot(), ImageRelease.UNKNOWN).skelCopy());
        AccountSnapshot withAlice = new AccountSnapshot(
                SampleRootfs.file("/etc/passwd") + "alice:x:1001:1001::/home/alice:/bin/bash\n",
                SampleRootfs.file("/etc/group"));
        assertEquals(Optional.empty(), new HydraRecipe(options(Pin.MODERN, null, true), withAlice, ImageRelease.UNKNOWN).skelCopy());
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
