// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, scope 2: the two images of a fleet, judged without hydrapi's reader: debugfs reads the files, ssh-keygen
 * says which key a file holds and whether known_hosts knows a host, e2fsck and fsck.fat check the filesystems, and
 * the raw disks are searched for private keys that do not belong there. What the images do when booted is
 * FleetEndToEndTest's.
 */
class BuildFleetTest {

    static final long OFF = Samples.ROOT_OFFSET;
    static final String MACHINES_HEAD = "# Written by hydrapi: where Hydra's queue runner builds";

    @TempDir
    Path tmp;
    Path fleet;
    Path adminKey;

    @BeforeEach
    void setUp() throws Exception {
        fleet = tmp.resolve("fleet");
        Cli.Run init = Cli.run("fleet", "init", fleet.toString(), "--server", "srv", "--builder", "b1", "--builder",
                "b2", "--quiet");
        assertEquals(0, init.exitCode(), init.stderr());
        Oracles.check("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@test", "-f",
                tmp.resolve("k").toString());
        adminKey = tmp.resolve("k.pub");
    }

    private Path build(String role, String... more) throws IOException {
        Path out = tmp.resolve(role + ".img.xz");
        List<String> args = new java.util.ArrayList<>(List.of("build", "--base", Samples.sampleXz().toString(),
                "--out", out.toString(), "--fleet", fleet.toString(), "--role", role, "--user", "alice",
                "--ssh-key", adminKey.toString(), "--hydra-pin", "legacy-2016", "--download-on-pi", "--quiet"));
        args.addAll(List.of(more));
        Cli.Run run = Cli.run(Map.of("SOURCE_DATE_EPOCH", "1700000000"), args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.stderr());
        Path raw = tmp.resolve(role + ".img");
        Oracles.xzDecompress(out, raw);
        Oracles.assertE2fsckClean(raw, OFF);
        Oracles.assertE2fsckFixesNothing(raw, OFF, Samples.ROOT_SIZE);
        Oracles.assertFsckFatClean(raw, Samples.BOOT_OFFSET, Samples.BOOT_SIZE);
        return raw;
    }

    @Test
    void server_machinesListsItselfAndEachBuilder_knownHostsPinsTheirKeys_queueRunnerOwnsItsKey() throws Exception {
        Path raw = build("srv");
        String machines = cat(raw, "/etc/nix/machines");
        // The sample shows no architecture, so the server's own line takes the fleet's system.
        assertEquals(MACHINES_HEAD + " (host, systems, SSH key, jobs, speed factor).\n"
                + "localhost aarch64-linux - 1 1\n"
                + "nix-ssh@b1.local aarch64-linux /var/lib/hydra/queue-runner/.ssh/id_ed25519 2 2\n"
                + "nix-ssh@b2.local aarch64-linux /var/lib/hydra/queue-runner/.ssh/id_ed25519 2 2\n", machines);
        assertEquals("0644", mode(raw, "/etc/nix/machines"));

        Path known = tmp.resolve("known_hosts");
        Files.write(known, Oracles.debugfsCat(raw, OFF, "/etc/ssh/ssh_known_hosts"));
        for (String b : List.of("b1", "b2")) {
            String want = fingerprint(fleet.resolve("builders/" + b + "/ssh_host_ed25519_key.pub"));
            for (String name : List.of(b, b + ".local")) {
                String found = new String(Oracles.check("ssh-keygen", "-l", "-F", name, "-f", known.toString()),
                        StandardCharsets.UTF_8);
                assertTrue(found.contains(want), name + " in known_hosts: " + found + " (want " + want + ")");
            }
        }

        String passwd = cat(raw, "/etc/passwd");
        String qrUid = field(passwd, "^hydra-queue-runner:x:(\\d+):");
        String hydraGid = field(passwd, "^hydra-queue-runner:x:\\d+:(\\d+):");
        String key = "/var/lib/hydra/queue-runner/.ssh/id_ed25519";
        String stat = Oracles.debugfsStat(raw, OFF, key);
        assertEquals("0600", field(stat, "Mode:\\s+(\\d+)"));
        assertEquals(qrUid, field(stat, "User:\\s+(\\d+)"));
        assertEquals(hydraGid, field(stat, "Group:\\s+(\\d+)"));
        for (String dir : List.of("/var/lib/hydra/queue-runner", "/var/lib/hydra/queue-runner/.ssh")) {
            String s = Oracles.debugfsStat(raw, OFF, dir);
            assertEquals("0700", field(s, "Mode:\\s+(\\d+)"), dir);
            assertEquals(qrUid, field(s, "User:\\s+(\\d+)"), dir);
        }
        // The queue runner's home, as ssh finds ~/.ssh, is where the key lies.
        assertEquals("/var/lib/hydra/queue-runner", field(passwd, "^hydra-queue-runner:x:\\d+:\\d+:[^:]*:([^:]*):"));
        // ssh-keygen reads it without a passphrase (Hydra's ssh runs with BatchMode=yes) as the fleet's client key.
        Path copy = tmp.resolve("qr_key");
        Files.write(copy, Oracles.debugfsCat(raw, OFF, key));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
        String derived = new String(Oracles.check("ssh-keygen", "-y", "-P", "", "-f", copy.toString()),
                StandardCharsets.UTF_8).strip();
        assertEquals(keyOnly(Files.readString(fleet.resolve("server/id_ed25519.pub"))), keyOnly(derived));

        String config = cat(raw, "/etc/hydra-firstboot/config.env");
        assertTrue(config.contains("\nROLE='server'\n") && config.contains("\nCACHE_KEY_NAME='srv-1'\n"), config);
        assertEquals("srv\n", cat(raw, "/etc/hostname"));
        // The cache's signing key is made on the Pi: none in the image, only hydra.conf's template naming it.
        assertFalse(exists(raw, "/etc/nix/hydra-cache.sec"));
        assertTrue(cat(raw, "/etc/hydra/hydra.conf.in").contains("\nbinary_cache_secret_key_file = "
                + "/etc/nix/hydra-cache.sec\n"));
        assertNoPrivateKeyBut(raw, fleet.resolve("server/id_ed25519"));

        String manifest = Files.readString(tmp.resolve("srv.img.xz.manifest.json"));
        assertTrue(manifest.contains("\"name\": \"hydra-server\"") || manifest.contains("\"name\":\"hydra-server\""),
                manifest);
        assertTrue(manifest.contains(key), "the manifest says which private key the image holds: " + manifest);
    }

    @Test
    void builder_holdsItsHostKey_letsTheServerRunOnlyTheStoreProtocol_andHasNoHydra() throws Exception {
        Path raw = build("b1");
        assertEquals("b1\n", cat(raw, "/etc/hostname"));
        // sshd's key is the one the drop-in names, and it lies outside the glob Raspberry Pi OS's
        // regenerate_ssh_host_keys deletes on first boot (rm -f /etc/ssh/ssh_host_*_key*).
        String hostKey = field(cat(raw, "/etc/ssh/sshd_config.d/hydrapi-fleet.conf"), "^HostKey (\\S+)$");
        assertFalse(hostKey.matches("/etc/ssh/ssh_host_.*_key.*"), hostKey);
        assertArrayEquals(Files.readAllBytes(fleet.resolve("builders/b1/ssh_host_ed25519_key")),
                Oracles.debugfsCat(raw, OFF, hostKey));
        String stat = Oracles.debugfsStat(raw, OFF, hostKey);
        assertEquals("0600", field(stat, "Mode:\\s+(\\d+)"));
        assertEquals("0", field(stat, "User:\\s+(\\d+)"));

        String passwd = cat(raw, "/etc/passwd");
        Matcher u = Pattern.compile("(?m)^nix-ssh:x:(\\d+):(\\d+):[^:]*:(/var/lib/nix-ssh):(/bin/bash)$").matcher(passwd);
        assertTrue(u.find(), passwd);
        assertTrue(Integer.parseInt(u.group(1)) < 1000, "a system account: " + u.group(1));
        assertTrue(Pattern.compile("(?m)^nix-ssh:\\*:").matcher(cat(raw, "/etc/shadow")).find());
        String ak = "/var/lib/nix-ssh/.ssh/authorized_keys";
        String akStat = Oracles.debugfsStat(raw, OFF, ak);
        assertEquals("0600", field(akStat, "Mode:\\s+(\\d+)"));
        assertEquals(u.group(1), field(akStat, "User:\\s+(\\d+)"));
        String keys = cat(raw, ak);
        List<String> lines = keys.lines().filter(l -> !l.startsWith("#")).toList();
        assertEquals(1, lines.size(), keys);
        assertTrue(lines.get(0).startsWith("restrict,command=\"NIX_REMOTE=daemon /usr/local/bin/nix-store --serve"
                + " --write\" ssh-ed25519 "), keys);
        // ssh-keygen parses the line, options and all, as the server's queue-runner key.
        Path akCopy = tmp.resolve("authorized_keys");
        Files.writeString(akCopy, keys);
        String fp = new String(Oracles.check("ssh-keygen", "-l", "-f", akCopy.toString()), StandardCharsets.UTF_8);
        assertTrue(fp.contains(fingerprint(fleet.resolve("server/id_ed25519.pub"))), fp);

        assertTrue(cat(raw, "/etc/hydra-firstboot/nix.conf.hydra").contains("\ntrusted-users = root nix-ssh\n"));
        String config = cat(raw, "/etc/hydra-firstboot/config.env");
        assertTrue(config.contains("\nROLE='builder'\n") && config.contains("\nFLEET_SERVER='srv'\n"), config);
        assertFalse(config.contains("CACHE_KEY_NAME"), config);
        for (String absent : List.of("/etc/nix/machines", "/etc/hydra/hydra.env", "/etc/hydra/hydra.conf.in",
                "/etc/systemd/system/hydra-server.service", "/etc/systemd/system/hydra-queue-runner.service",
                "/var/lib/hydra", "/etc/hydra-firstboot/jobsets")) {
            assertFalse(exists(raw, absent), absent + " on a builder");
        }
        assertFalse(passwd.contains("\nhydra"), "no Hydra accounts on a builder: " + passwd);
        assertTrue(exists(raw, "/etc/systemd/system/multi-user.target.wants/hydra-firstboot.service"));
        assertNoPrivateKeyBut(raw, fleet.resolve("builders/b1/ssh_host_ed25519_key"));
        assertTrue(Files.readString(tmp.resolve("b1.img.xz.manifest.json")).contains("nix-builder"));
    }

    @Test
    void withoutUser_aFleetsMachinesHaveNoLoginForPeople_butStillTheirRoles() throws Exception {
        Path sample = Samples.sampleRaw(tmp);
        String basePasswd = new String(Oracles.debugfsCat(sample, OFF, "/etc/passwd"), StandardCharsets.UTF_8);
        String baseGroup = new String(Oracles.debugfsCat(sample, OFF, "/etc/group"), StandardCharsets.UTF_8);
        for (String role : List.of("srv", "b1")) {
            Path out = tmp.resolve("nl-" + role + ".img.xz");
            Cli.Run run = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(),
                    "--fleet", fleet.toString(), "--role", role, "--hydra-pin", "legacy-2016", "--download-on-pi");
            assertEquals(0, run.exitCode(), run.stderr());
            assertTrue(run.stderr().contains("warning: the image has no login account (no --user): nobody can log in"
                    + " to " + role), run.stderr());
            Path raw = tmp.resolve("nl-" + role + ".img");
            Oracles.xzDecompress(out, raw);
            Oracles.assertE2fsckClean(raw, OFF);
            String passwd = cat(raw, "/etc/passwd");
            // No login for people was added (UID 1000..59999 with a shell; Nix's build users have none), and nobody
            // joined sudo.
            for (String line : passwd.split("\n")) {
                String[] f = line.split(":");
                int uid = Integer.parseInt(f[2]);
                if (uid >= 1000 && uid < 60000 && !f[6].endsWith("nologin")) {
                    assertTrue(basePasswd.contains(line), "a login account the base did not have: " + line);
                }
            }
            assertEquals(field(baseGroup, "^(sudo:.*)$"), field(cat(raw, "/etc/group"), "^(sudo:.*)$"));
            String config = cat(raw, "/etc/hydra-firstboot/config.env");
            assertTrue(config.contains("\nROLE='" + (role.equals("srv") ? "server" : "builder") + "'\n"), config);
            assertTrue(config.contains("\nADMIN_USER='admin'\n"), "Hydra's web admin: " + config);
        }
        assertTrue(cat(tmp.resolve("nl-b1.img"), "/var/lib/nix-ssh/.ssh/authorized_keys").contains("restrict,"));
        assertTrue(cat(tmp.resolve("nl-srv.img"), "/etc/nix/machines").contains("nix-ssh@b1.local "));
    }

    @Test
    void sameFleetAndInputs_giveTheSameBytes_anotherBuilderOthers() throws Exception {
        build("b2");
        byte[] first = Files.readAllBytes(tmp.resolve("b2.img.xz"));
        Files.move(tmp.resolve("b2.img.xz"), tmp.resolve("first.img.xz"));
        Files.delete(tmp.resolve("b2.img.xz.sha256"));
        Files.delete(tmp.resolve("b2.img.xz.manifest.json"));
        build("b2");
        assertArrayEquals(first, Files.readAllBytes(tmp.resolve("b2.img.xz")));
        build("b1");
        assertNotEquals(Oracles.run("sha256sum", tmp.resolve("b1.img.xz").toString()).out().split(" ")[0],
                Oracles.run("sha256sum", tmp.resolve("b2.img.xz").toString()).out().split(" ")[0]);
    }

    @Test
    void refusals_nameTheOption_andLeaveNothingBehind() throws Exception {
        String base = Samples.sampleXz().toString();
        Object[][] cases = {
            {new String[] {"--fleet", fleet.toString(), "--role", "nobody"}, "--role nobody: not a machine of the"
                    + " fleet, whose machines are srv, b1, b2"},
            {new String[] {"--fleet", fleet.toString()}, "--fleet needs --role NAME"},
            {new String[] {"--role", "b1"}, "--role needs --fleet DIR"},
            {new String[] {"--fleet", fleet.toString(), "--role", "b1", "--hostname", "other"},
                "--hostname other: the fleet knows this machine as b1"},
            {new String[] {"--fleet", fleet.toString(), "--role", "b1", "--no-hydra"}, "--role b1: a fleet's"
                    + " machines need Nix"},
            {new String[] {"--fleet", fleet.toString(), "--role", "b1", "--jobset", "j=https://example.org/j.git"},
                "--jobset: jobsets belong on the fleet's server, srv; b1 is a builder"},
            {new String[] {"--fleet", tmp.resolve("nothing").toString(), "--role", "b1"}, "no fleet.json"},
        };
        for (Object[] c : cases) {
            Path out = tmp.resolve("refused.img.xz");
            List<String> args = new java.util.ArrayList<>(List.of("build", "--base", base, "--out", out.toString(),
                    "--user", "alice", "--hydra-pin", "legacy-2016", "--download-on-pi"));
            args.addAll(List.of((String[]) c[0]));
            Cli.Run r = Cli.run(args.toArray(String[]::new));
            String err = r.stderr();
            assertEquals(2, r.exitCode(), String.join(" ", args) + ": " + err);
            assertTrue(err.contains((String) c[1]), "want '" + c[1] + "' in: " + err);
            assertEquals(1, err.strip().lines().count(), err);
            try (Stream<Path> s = Files.list(tmp)) {
                assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("refused")), err);
            }
        }
        // A private key others may read is refused before it is copied anywhere.
        Files.setPosixFilePermissions(fleet.resolve("builders/b1/ssh_host_ed25519_key"),
                PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Run r = Cli.run("build", "--base", base, "--out", tmp.resolve("refused.img.xz").toString(), "--user",
                "alice", "--hydra-pin", "legacy-2016", "--download-on-pi", "--fleet", fleet.toString(), "--role", "b1");
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("a private key others may read"), r.stderr());
    }

    /** Fails when the raw disk holds the body of any fleet private key other than {@code own}. */
    private void assertNoPrivateKeyBut(Path raw, Path own) throws IOException {
        byte[] disk = Files.readAllBytes(raw);
        try (Stream<Path> s = Files.walk(fleet)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith("_ed25519_key")
                    || p.getFileName().toString().equals("id_ed25519")).toList()) {
                // A line of the key's base64 body: 70 characters no other file shares by chance.
                String line = Files.readAllLines(p).get(2);
                boolean found = indexOf(disk, line.getBytes(StandardCharsets.US_ASCII)) >= 0;
                assertEquals(p.equals(own), found, p + (found ? " is in the image" : " is missing from the image"));
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String cat(Path raw, String path) throws IOException {
        return new String(Oracles.debugfsCat(raw, OFF, path), StandardCharsets.UTF_8);
    }

    private static boolean exists(Path raw, String path) throws IOException {
        return Oracles.run("debugfs", "-R", "stat " + path, raw + "?offset=" + OFF).out().contains("Inode:");
    }

    private static String mode(Path raw, String path) throws IOException {
        return field(Oracles.debugfsStat(raw, OFF, path), "Mode:\\s+(\\d+)");
    }

    private static String fingerprint(Path pub) throws IOException {
        return new String(Oracles.check("ssh-keygen", "-l", "-f", pub.toString()), StandardCharsets.UTF_8)
                .split(" ")[1];
    }

    private static String keyOnly(String line) {
        String[] f = line.strip().split(" ");
        return f[0] + " " + f[1];
    }

    private static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), regex + " in:\n" + text);
        return m.group(1);
    }
}
