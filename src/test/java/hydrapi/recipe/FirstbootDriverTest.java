// SPDX-License-Identifier: Apache-2.0
package hydrapi.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import hydrapi.plan.Content;
import hydrapi.fleet.Fleet;
import hydrapi.fleet.FleetDirectory;
import hydrapi.fleet.FleetMember;
import hydrapi.plan.FileSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real driver and stages, as the recipe packs them, in a temp root with every Pi command replaced by
 * stub.sh, which logs its calls.
 */
class FirstbootDriverTest {

    static final List<String> STUBBED = List.of("apt-get", "dpkg", "dpkg-query", "systemctl", "systemd-notify",
            "timedatectl", "psql", "pg_isready", "runuser", "createuser", "createdb", "nix", "nix-env", "useradd",
            "groupadd", "usermod", "getent", "ip", "curl", "swapon", "swapoff", "mkswap", "fallocate", "ldconfig",
            "cpanm", "make", "hydra-create-user", "pwgen", "argon2", "journalctl", "chown", "tar", "perl", "df", "id",
            "findmnt");
    static final String REV = Pin.LEGACY_2016.hydraRev();
    static final String PIN_STRING = "legacy-2016 hydra=" + REV + " nix=1.11.16";

    @TempDir
    Path tmp;
    Path root;
    Path stubDir;
    Path log;

    @BeforeEach
    void setUp() throws Exception {
        setUp(Pin.LEGACY_2016);
    }

    void setUp(Pin pin) throws Exception {
        setUp(pin, null);
    }

    /** {@code member}: a fleet's machine, whose name is the host name; null for a Hydra server on its own. */
    void setUp(Pin pin, FleetMember member) throws Exception {
        root = tmp.resolve("root");
        stubDir = tmp.resolve("stubstate");
        log = tmp.resolve("calls.log");
        Files.createDirectories(stubDir);
        HydraOptions o = new HydraOptions(member != null ? member.name() : "hydra", "alice", List.of(), null, null,
                pin, PinnedSources.of(pin), null, 2, false, Instant.parse("2026-01-01T00:00:00Z"), true,
                "/boot/firmware", List.of(), member);
        for (FileSpec s : new HydraRecipe(o, SampleRootfs.snapshot(), ImageRelease.UNKNOWN).specs()) {
            Path p = root.resolve(s.path().substring(1));
            if (s.type() == FileSpec.Type.DIRECTORY) {
                Files.createDirectories(p);
            } else if (s.type() == FileSpec.Type.FILE && s.content() instanceof Content.Bytes b) {
                Files.createDirectories(p.getParent());
                Files.write(p, b.bytes());
                Files.setPosixFilePermissions(p, perms(s.mode()));
            }
        }
        write("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_CODENAME=bookworm\n");
        write("meminfo", "MemTotal:        3900000 kB\nSwapTotal:        500000 kB\n");
        write("etc/postgresql/15/main/pg_hba.conf", "local all postgres peer\nlocal all all peer\n");
        write("etc/postgresql/15/main/pg_ident.conf", "# MAPNAME SYSTEM-USERNAME PG-USERNAME\n");
        write("etc/hostname", o.hostname() + "\n");
        write("usr/local/bin/hydra-queue-runner", "#!/bin/sh\n");
        Files.setPosixFilePermissions(root.resolve("usr/local/bin/hydra-queue-runner"), perms(0755));
        write("var/cache/hydra-firstboot/src/hydra-" + REV + ".tar.gz", "not really a tarball");

        Path stubs = tmp.resolve("stubs");
        Path stub = stubs.resolve("stub");
        if (!Files.exists(stubs)) {
            Files.createDirectories(stubs);
            try (InputStream in = getClass().getResourceAsStream("stub.sh")) {
                Files.write(stub, in.readAllBytes());
            }
            Files.setPosixFilePermissions(stub, perms(0755));
            for (String name : STUBBED) {
                Files.createSymbolicLink(stubs.resolve(name), stub);
            }
        }
        for (String name : List.of("nix-store", "nix-hash")) {
            Files.createSymbolicLink(root.resolve("usr/local/bin/" + name), stub);
        }
        Files.createDirectories(root.resolve("nix/var/nix/profiles/default/bin"));
        for (String name : List.of("nix", "nix-env", "nix-store")) {
            Files.createSymbolicLink(root.resolve("nix/var/nix/profiles/default/bin/" + name), stub);
        }
    }

    @Test
    void run_serverMakesItsCacheKeyOnceAndHydraSignsWithIt() throws Exception {
        // What a power cut inside an earlier try would have left: a half-made pair, never used.
        write("etc/nix/.hydra-cache.Ab12Cd/sec", "hydra-1:c3RhbGU=");
        assertEquals(0, run());
        try (var left = Files.list(root.resolve("etc/nix"))) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".hydra-cache."))
                    .toList());
        }
        Path sec = root.resolve("etc/nix/hydra-cache.sec");
        Path pub = root.resolve("etc/nix/hydra-cache.pub");
        assertEquals("hydra-1:cHVibGlj", Files.readString(pub));
        assertEquals("r--r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(sec)));
        String calls = calls();
        assertTrue(calls.contains("nix-store --generate-binary-cache-key hydra-1 "), calls);
        assertTrue(calls.contains("chown root:hydra " + root + "/etc/nix/.hydra-cache."), calls);
        assertTrue(Files.readString(root.resolve("var/lib/hydra/hydra.conf"))
                .contains("\nbinary_cache_secret_key_file = /etc/nix/hydra-cache.sec\n"));
        // No boot partition is mounted in this root: the key stays in /etc/nix, and the log says so.
        assertTrue(Files.readString(root.resolve("var/log/hydra-firstboot/05-create-nix-users.log"))
                .contains(root + "/boot/firmware is not mounted: the cache's public key stays in " + pub));

        // Stage 05 again (a changed pin re-runs it): the key stays, so clients keep trusting the cache.
        Files.delete(root.resolve("var/lib/hydra-firstboot/done"));
        Files.delete(root.resolve("var/lib/hydra-firstboot/state/05-create-nix-users.done"));
        Files.delete(log);
        assertEquals(0, run());
        assertTrue(calls().contains("systemctl enable --now nix-daemon.socket"), calls());
        assertFalse(calls().contains("--generate-binary-cache-key"), calls());
        assertEquals("hydra-1:cHVibGlj", Files.readString(pub));
    }

    @Test
    void run_modernServerSignsWhatItsDaemonBuildsToo() throws Exception {
        deleteTree(root);
        setUp(Pin.MODERN);
        Files.createFile(stubDir.resolve("network"));
        assertEquals(0, run());
        String conf = Files.readString(root.resolve("etc/nix/nix.conf"));
        assertTrue(conf.contains("\nsecret-key-files = /etc/nix/hydra-cache.sec\n"), conf);
        assertFalse(conf.contains("builders ="), "a server outside a fleet keeps Nix's default: " + conf);
        assertTrue(calls().contains("nix-store --generate-binary-cache-key hydra-1 "), calls());
    }

    @Test
    void run_fleetBuilderRunsTheNixStagesOnly() throws Exception {
        deleteTree(root);
        FleetDirectory.Loaded fleet = FleetDirectory.init(tmp.resolve("fleet"), new Fleet("srv",
                List.of(new Fleet.Builder("bld1", List.of("aarch64-linux"), 2, 2))), new java.security.SecureRandom());
        setUp(Pin.LEGACY_2016, FleetMember.of(fleet, "bld1"));
        assertEquals(0, run());
        for (String stage : FirstbootFiles.STAGES) {
            int n = Integer.parseInt(stage.substring(0, 2));
            boolean serverOnly = n >= 6 && n <= 13;
            assertEquals(serverOnly ? null : PIN_STRING, stamp(stage), stage);
        }
        assertTrue(status().startsWith("done: Nix builder bld1 ready: srv sends it builds over SSH"), status());
        String calls = calls();
        // Its own package set (Nix's build needs), no PostgreSQL, no Hydra, no cache key.
        assertTrue(calls.contains("dpkg-query -W -f=${Status}\\n curl ca-certificates xz-utils build-essential"),
                calls);
        for (String absent : List.of("postgresql", "psql", "hydra-create-user", "hydra-init", "cpanm",
                "--generate-binary-cache-key", "\nperl -ne")) {
            assertFalse(calls.contains(absent), absent + " on a builder: " + calls);
        }
        String nixConf = Files.readString(root.resolve("etc/nix/nix.conf"));
        assertTrue(nixConf.contains("\ntrusted-users = root nix-ssh\n"), nixConf);
        assertFalse(Files.exists(root.resolve("etc/nix/hydra-cache.sec")));
    }

    @Test
    void run_modernPinInstallsThroughNixAndUsesArgon2() throws Exception {
        deleteTree(root);
        setUp(Pin.MODERN);
        Files.createFile(stubDir.resolve("network"));
        assertEquals(0, run());
        String pinString = "modern hydra=" + Pin.MODERN.hydraRev() + " nix=" + Pin.MODERN.nixVersion();
        for (String stage : FirstbootFiles.STAGES) {
            assertEquals(pinString, stamp(stage), stage);
        }
        String calls = calls();
        assertTrue(calls.contains("nix --extra-experimental-features nix-command build --no-link -f "
                + "https://github.com/NixOS/nixpkgs/archive/" + HydraRecipe.NIXPKGS_REV + ".tar.gz hydra"), calls);
        assertTrue(calls.contains("nix-env -p " + root + "/nix/var/nix/profiles/hydra --set /nix/store/"), calls);
        // Before the long build, the banner and the journal say what it will be (the stub cache has the path).
        assertTrue(calls.contains("curl -sS -o /dev/null -w %{http_code} --max-time 30 "
                + "https://cache.nixos.org/00000000000000000000000000000000.narinfo"), calls);
        String log = Files.readString(root.resolve("var/log/hydra-firstboot/07-build-hydra.log"));
        assertTrue(log.contains("stage 07: Hydra 241ab71 is in https://cache.nixos.org for "), log);
        assertTrue(calls.contains("psql -X -v ON_ERROR_STOP=1 -d hydra -tAc CREATE EXTENSION IF NOT EXISTS pg_trgm"));
        assertTrue(calls.contains("--role admin --password-hash $argon2id$"), calls);
        assertFalse(calls.contains("--password generated"), calls);
        assertTrue(calls.contains(" hydra-notify.service "), calls);
        assertFalse(calls.contains("swapon"), "no temporary swap on the modern pin: " + calls);
        String conf = Files.readString(root.resolve("var/lib/hydra/hydra.conf"));
        assertTrue(conf.contains("\nuse-substitutes = 1\n") && !conf.contains("#modern#"), conf);
        assertTrue(Files.readString(root.resolve("etc/nix/nix.conf")).contains("\nkeep-outputs = true\n"));
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    @Test
    void run_completesEveryStageStampsThemAndThenDoesNothing() throws Exception {
        assertEquals(0, run());
        for (String stage : FirstbootFiles.STAGES) {
            assertEquals(PIN_STRING, stamp(stage), stage);
        }
        assertTrue(Files.exists(root.resolve("var/lib/hydra-firstboot/done")));
        assertTrue(status().startsWith("done: Hydra ready at http://hydra:3000 "), status());
        String calls = calls();
        assertTrue(calls.contains("systemctl disable hydra-firstboot.service"), calls);
        assertTrue(calls.contains("hydra-create-user alice --full-name alice --email-address alice@hydra --role admin "
                + "--password generated-password-0001"), calls);
        assertTrue(calls.contains("systemctl enable hydra-init.service hydra-server.service hydra-evaluator.service "
                + "hydra-queue-runner.service hydra-update-gc-roots.timer hydra-compress-logs.timer\n"), "no hydra-notify on the 2016 pin: " + calls);
        String hba = Files.readString(root.resolve("etc/postgresql/15/main/pg_hba.conf"));
        assertTrue(hba.startsWith("# BEGIN hydra-firstboot\nlocal hydra hydra peer map=hydra-users\n# END"), hba);
        String conf = Files.readString(root.resolve("var/lib/hydra/hydra.conf"));
        assertTrue(conf.contains("base_uri = http://hydra:3000\n") && !conf.contains("use-substitutes"), conf);
        assertTrue(Files.readString(root.resolve("etc/nix/nix.conf")).contains("build-users-group = nixbld\n"));

        Files.delete(log);
        assertEquals(0, run());
        assertFalse(Files.exists(log), "a finished Pi runs nothing");
        assertEquals("done", status());
    }

    @Test
    void run_secondRunReRunsNothingButPreflight() throws Exception {
        assertEquals(0, run());
        String hba = Files.readString(root.resolve("etc/postgresql/15/main/pg_hba.conf"));
        Files.delete(root.resolve("var/lib/hydra-firstboot/done"));
        Files.delete(log);
        assertEquals(0, run());
        String calls = calls();
        assertEquals("dpkg --print-architecture\ndf -Pk " + root + "\nsystemctl disable hydra-firstboot.service\n", calls);
        assertEquals(hba, Files.readString(root.resolve("etc/postgresql/15/main/pg_hba.conf")));
    }

    @Test
    void run_failingStageLeavesNoStampAndTheNextRunResumesThere() throws Exception {
        Files.createFile(stubDir.resolve("fail-hydra-create-user"));
        assertNotEquals(0, run());
        assertEquals(PIN_STRING, stamp("10-run-hydra-init"));
        assertEquals(null, stamp("11-create-admin"));
        assertEquals(null, stamp("12-enable-services"));
        assertTrue(status().contains("11-create-admin failed"), status());
        assertFalse(Files.exists(root.resolve("var/lib/hydra-firstboot/done")));

        Files.delete(stubDir.resolve("fail-hydra-create-user"));
        Files.delete(log);
        assertEquals(0, run());
        String calls = calls();
        assertTrue(calls.contains("hydra-create-user alice"), calls);
        assertFalse(calls.contains("systemctl start hydra-init.service"), "stage 10 must not run again: " + calls);
        assertFalse(calls.contains("pg_isready"), calls);
        assertEquals(PIN_STRING, stamp("11-create-admin"));
    }

    @Test
    void run_networkStageWithoutNetworkSaysSoAndFails() throws Exception {
        Files.createFile(stubDir.resolve("packages-missing"));
        assertNotEquals(0, run());
        assertTrue(status().startsWith("waiting for network (stage 02-install-packages 08-setup-postgres); after it: "
                + "04-install-nix 05-create-nix-users 07-build-hydra 10-run-hydra-init"), status());
        assertTrue(status().endsWith("; every other stage is done"), status());
        assertEquals(PIN_STRING, stamp("01-sync-time"));
        assertEquals(null, stamp("02-install-packages"));
        // The stages that need no download still complete while the network is down.
        for (String local : List.of("03-add-swap", "06-create-hydra-users", "09-prepare-hydra-state")) {
            assertEquals(PIN_STRING, stamp(local), local);
        }
        for (String held : List.of("04-install-nix", "05-create-nix-users", "10-run-hydra-init", "14-finish-firstboot")) {
            assertEquals(null, stamp(held), held);
        }
        assertFalse(calls().contains("apt-get"), calls());

        Files.createFile(stubDir.resolve("network"));
        Files.delete(log);
        assertEquals(0, run());
        String calls = calls();
        assertTrue(calls.contains("apt-get -y -q -o Acquire::Retries=5 -o DPkg::Lock::Timeout=600"), calls);
        assertTrue(calls.contains("dpkg --configure -a"), calls);
        assertFalse(calls.contains("timedatectl"), "stage 01 is stamped: " + calls);
    }

    @Test
    void run_changedPinReRunsStages() throws Exception {
        assertEquals(0, run());
        Files.delete(root.resolve("var/lib/hydra-firstboot/done"));
        Path config = root.resolve("etc/hydra-firstboot/config.env");
        String other = "0".repeat(40);
        Files.writeString(config, Files.readString(config).replace(REV, other));
        write("var/cache/hydra-firstboot/src/hydra-" + other + ".tar.gz", "x");
        Files.delete(log);
        assertEquals(0, run());
        String calls = calls();
        assertTrue(calls.contains("systemctl start hydra-init.service"), calls);
        assertTrue(calls.contains("hydra-create-user alice"), calls);
        assertEquals("legacy-2016 hydra=" + other + " nix=1.11.16", stamp("07-build-hydra"));
    }

    /**
     * systemctl is-active says "inactive" with exit 3; a stage ending on it failed, and is retried. When 3 meant
     * "fatal" to the driver, the Nix socket not starting under systemd stopped first boot for good.
     */
    @Test
    void run_aStageFailingWithExit3IsRetriedNotFatal() throws Exception {
        Files.writeString(stubDir.resolve("is-active-rc"), "3");
        assertNotEquals(0, run());
        assertTrue(status().startsWith("stage 6/15: 05-create-nix-users failed (1), retrying"), status());
        assertFalse(Files.exists(root.resolve("var/lib/hydra-firstboot/failed")), "a retryable failure is not fatal");
        assertFalse(calls().contains("systemctl disable hydra-firstboot.service"), calls());
        // The directory Nix 1.11's socket unit is conditioned on was made before the socket was enabled.
        assertTrue(Files.isDirectory(root.resolve("nix/var/nix/daemon-socket")));

        Files.delete(stubDir.resolve("is-active-rc"));
        assertEquals(0, run());
        assertEquals(PIN_STRING, stamp("05-create-nix-users"));
    }

    @Test
    void run_whileAnotherRunHoldsTheLockExitsForARetry() throws Exception {
        Path lock = root.resolve("run/hydra-firstboot.lock");
        Files.createDirectories(lock.getParent());
        Process holder = new ProcessBuilder("flock", lock.toString(), "sleep", "60").start();
        try {
            for (int i = 0; i < 50 && !Files.exists(lock); i++) {
                Thread.sleep(100);
            }
            Thread.sleep(300);
            assertEquals(75, run());
            assertEquals("", calls(), "no stage may run beside another run");
        } finally {
            holder.destroy();
            holder.waitFor();
        }
    }

    @Test
    void run_fatalPreflightDisablesTheUnitInsteadOfLooping() throws Exception {
        write("etc/os-release", "VERSION_CODENAME=trixie\n");
        assertEquals(0, run());
        assertTrue(status().startsWith("FAILED: pin legacy-2016 needs bookworm"), status());
        assertTrue(calls().contains("systemctl disable hydra-firstboot.service"));
        assertEquals(null, stamp("00-check-preflight"));
        assertEquals(status(), Files.readString(root.resolve("var/lib/hydra-firstboot/failed")));
        assertFalse(Files.exists(root.resolve("var/lib/hydra-firstboot/done")));
    }

    /** The free-space floor is for the installation as a whole: met once, the space stages take later is theirs. */
    @Test
    void run_freeSpaceFloorIsCheckedUntilMetOnce() throws Exception {
        // No disk geometry (findmnt knows no root): too little space is fatal at once, naming the pin's card.
        Files.writeString(stubDir.resolve("df-avail"), "1048576");
        assertEquals(0, run());
        assertEquals("FAILED: pin legacy-2016 needs 8192 MiB free on / and has 1024 MiB: use a card of 16 GB or larger",
                Files.readString(root.resolve("var/log/hydra-firstboot/00-check-preflight.log")).lines()
                        .filter(l -> l.contains("FAILED")).findFirst().orElse("").replaceFirst(".*hydra-firstboot: ", ""));

        Files.createFile(stubDir.resolve("packages-missing"));
        Files.writeString(stubDir.resolve("df-avail"), "9000000");
        assertEquals(75, run(), "offline: the network stages wait");
        // Stage 03's swapfile, the store and build trees take their space; the next attempt must not refuse for it.
        Files.writeString(stubDir.resolve("df-avail"), "1048576");
        Files.createFile(stubDir.resolve("network"));
        assertEquals(0, run());
        assertTrue(status().startsWith("done"), status());
    }

    /**
     * Issue 18: a freshly flashed card before Raspberry Pi OS grew its root. A 2.7 GiB root partition on a 32 GB card
     * with 359 MiB free: stage 00 waits (exit 75, the status says why, nothing after it runs, the unit stays enabled
     * for systemd's retry); once partition and filesystem reach the card's end the same run goes on.
     */
    @Test
    void run_rootPartitionShortOfTheCardsEnd_waitsForTheResizeAndThenGoesOn() throws Exception {
        long card = 32_000_000_000L / 512;
        sysfsDisk(card, 532480, 2_768_896_000L / 512);
        Files.writeString(stubDir.resolve("df-total"), Long.toString(2_700_000_000L / 1024));
        Files.writeString(stubDir.resolve("df-avail"), Long.toString(359 * 1024));
        assertEquals(75, run());
        assertEquals("waiting for the root filesystem to be grown: its partition ends 27617 MiB before the end of the "
                + "32.0 GB card; pin legacy-2016 needs 8192 MiB free on / and has 359 MiB; Raspberry Pi OS grows the "
                + "root to the card on first boot (if it stays so: sudo raspi-config --expand-rootfs, then reboot)",
                status());
        assertEquals(null, stamp("00-check-preflight"));
        assertEquals(null, stamp("01-sync-time"), "nothing runs after a waiting preflight");
        assertFalse(calls().contains("timedatectl"), calls());
        assertFalse(calls().contains("systemctl disable"), "systemd retries the unit: " + calls());
        assertFalse(Files.exists(root.resolve("var/lib/hydra-firstboot/failed")));

        // The partition grew (trixie: resize_early in the initramfs) but not yet the filesystem (systemd-growfs-root).
        sysfsDisk(card, 532480, card - 532480);
        assertEquals(75, run());
        assertEquals("waiting for the root filesystem to be grown: it holds 2574 MiB of its 30257 MiB partition; pin "
                + "legacy-2016 needs 8192 MiB free on / and has 359 MiB; Raspberry Pi OS grows the root to the card on "
                + "first boot (if it stays so: sudo raspi-config --expand-rootfs, then reboot)", status());

        Files.writeString(stubDir.resolve("df-total"), Long.toString(29_500L * 1024));
        Files.writeString(stubDir.resolve("df-avail"), Long.toString(12_000L * 1024));
        Files.delete(log);
        assertEquals(0, run());
        assertTrue(status().startsWith("done"), status());
        assertEquals(PIN_STRING, stamp("00-check-preflight"));
    }

    /** The root fills the card and the card is too small: fatal, naming the card the pin needs, once and for all. */
    @Test
    void run_cardTooSmallAfterTheResize_isFatalAndNamesTheCardThePinNeeds() throws Exception {
        long card = 8_000_000_000L / 512;
        sysfsDisk(card, 532480, card - 532480);
        Files.writeString(stubDir.resolve("df-total"), Long.toString(7_300L * 1024));
        Files.writeString(stubDir.resolve("df-avail"), Long.toString(4_100L * 1024));
        assertEquals(0, run());
        String failed = "FAILED: the 8.0 GB card is too small: pin legacy-2016 needs 8192 MiB free on / and has 4100 MiB"
                + " after the root was grown to the card's end: use a card of 16 GB or larger (see "
                + root.resolve("var/log/hydra-firstboot") + "/00-check-preflight.log); fix and run "
                + "'systemctl enable --now hydra-firstboot.service'";
        assertEquals(failed, status());
        assertEquals(failed, Files.readString(root.resolve("var/lib/hydra-firstboot/failed")));
        assertTrue(calls().contains("systemctl disable hydra-firstboot.service"), calls());
        assertEquals(null, stamp("01-sync-time"));

        // 12 GB: 4 GB more is not enough for the legacy pin's 8 GiB with Lite's 3.9 GB in use; 32 GB is suggested.
        deleteTree(root);
        setUp(Pin.LEGACY_2016);
        card = 12_000_000_000L / 512;
        sysfsDisk(card, 532480, card - 532480);
        Files.writeString(stubDir.resolve("df-total"), Long.toString(11_000L * 1024));
        Files.writeString(stubDir.resolve("df-avail"), Long.toString(3_000L * 1024));
        assertEquals(0, run());
        assertTrue(status().contains("the 12.0 GB card is too small") && status().contains("use a card of 32 GB"),
                status());

        // The modern pin's floor is 4 GiB: an 8 GB card leaving 4100 MiB is enough.
        deleteTree(root);
        setUp(Pin.MODERN);
        card = 8_000_000_000L / 512;
        sysfsDisk(card, 532480, card - 532480);
        Files.writeString(stubDir.resolve("df-total"), Long.toString(7_300L * 1024));
        Files.writeString(stubDir.resolve("df-avail"), Long.toString(4_100L * 1024));
        assertEquals(75, run(), "offline: past the preflight, the network stages wait");
        assertEquals("modern hydra=" + Pin.MODERN.hydraRev() + " nix=" + Pin.MODERN.nixVersion(),
                stamp("00-check-preflight"));
    }

    /** A root that is not the disk's last partition cannot grow: too little space is then fatal, not waiting. */
    @Test
    void run_rootNotTheLastPartition_isFatalNotWaiting() throws Exception {
        long card = 32_000_000_000L / 512;
        sysfsDisk(card, 532480, 2_768_896_000L / 512);
        Path disk = root.resolve("sys/devices/virtual/block/mmcblk0");
        Files.createDirectories(disk.resolve("mmcblk0p3"));
        Files.writeString(disk.resolve("mmcblk0p3/partition"), "3\n");
        Files.writeString(disk.resolve("mmcblk0p3/start"), "40000000\n");
        Files.writeString(disk.resolve("mmcblk0p3/size"), "2048\n");
        Files.writeString(stubDir.resolve("df-total"), Long.toString(2_700_000_000L / 1024));
        Files.writeString(stubDir.resolve("df-avail"), Long.toString(359 * 1024));
        assertEquals(0, run());
        assertTrue(status().startsWith("FAILED: pin legacy-2016 needs 8192 MiB free on / and has 359 MiB, and the root"
                + " partition cannot grow: mmcblk0p3 follows it on the disk"), status());
    }

    /**
     * A sysfs tree as the kernel shows an SD card: /sys/dev/block/179:2 links to the root partition, whose parent
     * directory is the disk; sizes in 512-byte sectors. Partition 1 is the 512 MiB boot partition at 4 MiB.
     */
    private void sysfsDisk(long diskSectors, long rootStart, long rootSectors) throws IOException {
        Path disk = root.resolve("sys/devices/virtual/block/mmcblk0");
        write("sys/devices/virtual/block/mmcblk0/size", diskSectors + "\n");
        write("sys/devices/virtual/block/mmcblk0/mmcblk0p1/partition", "1\n");
        write("sys/devices/virtual/block/mmcblk0/mmcblk0p1/start", "8192\n");
        write("sys/devices/virtual/block/mmcblk0/mmcblk0p1/size", "1048576\n");
        write("sys/devices/virtual/block/mmcblk0/mmcblk0p2/partition", "2\n");
        write("sys/devices/virtual/block/mmcblk0/mmcblk0p2/start", rootStart + "\n");
        write("sys/devices/virtual/block/mmcblk0/mmcblk0p2/size", rootSectors + "\n");
        Path link = root.resolve("sys/dev/block/179:2");
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, link.getParent().relativize(disk.resolve("mmcblk0p2")));
        }
        Files.writeString(stubDir.resolve("root-devnum"), "179:2\n");
    }

    private int run() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("usr/local/lib/hydra-firstboot/run").toString())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("NOTIFY_SOCKET");
        env.put("PATH", tmp.resolve("stubs") + ":" + System.getenv("PATH"));
        env.put("HYDRA_FIRSTBOOT_ROOT", root.toString());
        env.put("HYDRA_FIRSTBOOT_BACKOFF_BASE", "0");
        env.put("HYDRA_FIRSTBOOT_POLL", "0");
        env.put("HYDRA_FIRSTBOOT_TIME_WAIT", "5");
        env.put("HYDRA_FIRSTBOOT_MEMINFO", root.resolve("meminfo").toString());
        env.put("STUB_LOG", log.toString());
        env.put("STUB_DIR", stubDir.toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the driver hung");
        }
        System.out.println(new String(out, StandardCharsets.UTF_8));
        return p.exitValue();
    }

    private String stamp(String stage) throws IOException {
        Path p = root.resolve("var/lib/hydra-firstboot/state/" + stage + ".done");
        return Files.exists(p) ? Files.readString(p) : null;
    }

    private String status() throws IOException {
        return Files.readString(root.resolve("run/hydra-firstboot/status")).strip();
    }

    private String calls() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    private void write(String path, String text) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }
}
