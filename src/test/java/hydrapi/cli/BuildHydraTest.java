// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 4's acceptance on the bookworm and trixie samples, read back with debugfs and checked by e2fsck. */
class BuildHydraTest {

    @TempDir
    Path tmp;

    /** A small source tree packed by tar, and its NAR hash computed by an independent Python serialiser. */
    private String[] fakeSource() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("src/hydra-993647d/src/script"));
        Files.writeString(tree.getParent().getParent().resolve("configure.ac"), "AC_INIT([Hydra])\n");
        Path script = tree.resolve("hydra-init");
        Files.writeString(script, "#!/usr/bin/perl\n");
        script.toFile().setExecutable(true);
        Path tar = tmp.resolve("hydra-993647d.tar.gz");
        Oracles.check("tar", "-C", tmp.resolve("src").toString(), "-czf", tar.toString(), "hydra-993647d");
        Path py = tmp.resolve("nar.py");
        try (InputStream in = getClass().getResourceAsStream("/hydrapi/recipe/nar.py")) {
            Files.write(py, in.readAllBytes());
        }
        Oracles.Result r = Oracles.run("sh", "-c", "python3 \"$0\" \"$1\" | sha256sum", py.toString(),
                tmp.resolve("src/hydra-993647d").toString());
        assertEquals(0, r.exitCode(), r.all());
        String sri = "sha256-" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(r.out().substring(0, 64)));
        return new String[] {tar.toString(), sri};
    }

    private static String field(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), regex + " not in:\n" + text);
        return m.group(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bookworm", "trixie"})
    void build_hydraLegacy_accountsKeysEnvUnitsTarball_readBackByDebugfs(String style) throws Exception {
        Path base = style.equals("bookworm") ? Samples.sampleXz()
                : Samples.make(tmp.resolve("trixie.img.xz"), Map.of("STYLE", "trixie"));
        String[] src = fakeSource();
        Oracles.check("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@test", "-f",
                tmp.resolve("k").toString());
        Path key = tmp.resolve("k.pub");
        Path out = tmp.resolve("o.img.xz");
        Cli.Run run = Cli.run("build", "--base", base.toString(), "--out", out.toString(), "--hostname", "hydra",
                "--user", "alice", "--ssh-key", key.toString(), "--password-hash",
                "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
                "--hydra-pin", "legacy-2016", "--download-on-pi", "--hydra-source", src[0], "--hydra-hash", src[1],
                "--quiet");
        assertEquals(0, run.exitCode(), run.stderr());
        Path raw = tmp.resolve("o.img");
        Oracles.xzDecompress(out, raw);
        long off = Samples.ROOT_OFFSET;
        Oracles.assertE2fsckClean(raw, off);
        Oracles.assertE2fsckFixesNothing(raw, off, Samples.ROOT_SIZE);
        Oracles.assertFsckFatClean(raw, Samples.BOOT_OFFSET, Samples.BOOT_SIZE);

        String passwd = new String(Oracles.debugfsCat(raw, off, "/etc/passwd"), StandardCharsets.UTF_8);
        String group = new String(Oracles.debugfsCat(raw, off, "/etc/group"), StandardCharsets.UTF_8);
        String shadow = new String(Oracles.debugfsCat(raw, off, "/etc/shadow"), StandardCharsets.UTF_8);
        String gshadow = new String(Oracles.debugfsCat(raw, off, "/etc/gshadow"), StandardCharsets.UTF_8);
        // Every passwd user has a shadow line and every group a gshadow line, and primary groups exist.
        for (String line : passwd.split("\n")) {
            String[] f = line.split(":");
            assertTrue(shadow.contains("\n" + f[0] + ":") || shadow.startsWith(f[0] + ":"), f[0] + " not in shadow");
            assertTrue(Pattern.compile("^[^:]+:[^:]*:" + f[3] + ":", Pattern.MULTILINE).matcher(group).find(),
                    "primary group " + f[3] + " of " + f[0] + " missing");
        }
        for (String line : group.split("\n")) {
            String name = line.split(":")[0];
            assertTrue(Pattern.compile("^" + Pattern.quote(name) + ":", Pattern.MULTILINE).matcher(gshadow).find(),
                    name + " not in gshadow");
        }
        String uid = field(passwd, "^alice:x:(\\d+):");
        assertTrue(field(shadow, "^alice:([^:]*):").startsWith("$6$"), shadow);
        assertTrue(Pattern.compile("^sudo:[^\\n]*\\balice\\b", Pattern.MULTILINE).matcher(group).find(), group);
        assertEquals("30000", field(group, "^nixbld:x:(\\d+):"));
        assertTrue(field(group, "^nixbld:x:30000:(.*)$").contains("nixbld1"), group);
        String shadowStat = Oracles.debugfsStat(raw, off, "/etc/shadow");
        assertEquals("0640", field(shadowStat, "Mode:\\s+(\\d+)"));
        assertEquals(field(group, "^shadow:x:(\\d+):"), field(shadowStat, "Group:\\s+(\\d+)"));

        assertArrayEquals(Files.readAllBytes(key), Oracles.debugfsCat(raw, off, "/home/alice/.ssh/authorized_keys"));
        String keyStat = Oracles.debugfsStat(raw, off, "/home/alice/.ssh/authorized_keys");
        assertEquals("0600", field(keyStat, "Mode:\\s+(\\d+)"));
        assertEquals(uid, field(keyStat, "User:\\s+(\\d+)"));

        assertTrue(new String(Oracles.debugfsCat(raw, off, "/etc/hydra/hydra.env"), StandardCharsets.UTF_8)
                .contains("dbi:Pg:dbname=hydra;user=hydra;"));
        Oracles.debugfsStat(raw, off, "/etc/systemd/system/hydra-firstboot.service");
        assertEquals("../hydra-firstboot.service", field(Oracles.debugfsStat(raw, off,
                "/etc/systemd/system/multi-user.target.wants/hydra-firstboot.service"), "Fast link dest: \"(.*)\""));
        List<String> scripts = new ArrayList<>(List.of("/usr/local/lib/hydra-firstboot/run"));
        try (Stream<Path> s = Files.list(Samples.projectDir().resolve("firstboot/stages"))) {
            s.map(p -> "/usr/local/lib/hydra-firstboot/stages/" + p.getFileName()).sorted().forEach(scripts::add);
        }
        for (String script : scripts) {
            assertEquals("0755", field(Oracles.debugfsStat(raw, off, script), "Mode:\\s+(\\d+)"), script);
        }
        String config = new String(Oracles.debugfsCat(raw, off, "/etc/hydra-firstboot/config.env"),
                StandardCharsets.UTF_8);
        assertTrue(config.contains("993647d1e3b43f1f9b7dc2ebce889b475d156bb9"), config);
        String tarballInImage = field(config, "^HYDRA_SOURCE=['\"]?([^'\"\\n]+)['\"]?$");
        assertArrayEquals(Files.readAllBytes(Path.of(src[0])), Oracles.debugfsCat(raw, off, tarballInImage));
        assertEquals("hydra\n", new String(Oracles.debugfsCat(raw, off, "/etc/hostname"), StandardCharsets.UTF_8));
        assertEquals(0, Cli.run("verify", out.toString()).exitCode());
    }

    @Test
    void build_passwordFile_onlyItsSha512CryptHashLandsInTheImage() throws Exception {
        String password = "correct horse battery staple";
        Path pw = tmp.resolve("pw");
        Files.writeString(pw, password + "\n");
        Path out = tmp.resolve("p.img.xz");
        Cli.Run run = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(), "--user",
                "bob", "--password-file", pw.toString(), "--no-hydra", "--quiet");
        assertEquals(0, run.exitCode(), run.stderr());
        Path raw = tmp.resolve("p.img");
        Oracles.xzDecompress(out, raw);
        byte[] image = Files.readAllBytes(raw);
        byte[] needle = password.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + needle.length <= image.length; i++) {
            if (image[i] == needle[0] && java.util.Arrays.equals(image, i, i + needle.length, needle, 0, needle.length)) {
                throw new AssertionError("plaintext password found at byte " + i);
            }
        }
        String shadow = new String(Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/shadow"), StandardCharsets.UTF_8);
        String hash = field(shadow, "^bob:([^:]*):");
        String salt = hash.split("\\$")[2];
        // openssl's SHA-512 crypt of the same password and salt must give the same hash.
        assertEquals(hash, Oracles.run("openssl", "passwd", "-6", "-salt", salt, password).out().strip());
        Oracles.assertE2fsckClean(raw, Samples.ROOT_OFFSET);
    }

    @Test
    void build_wrongHydraHash_isRefusedNamingBothHashes() throws Exception {
        String[] src = fakeSource();
        String wrong = "sha256-" + Base64.getEncoder().encodeToString(new byte[32]);
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                outDir.resolve("o.img.xz").toString(), "--user", "alice", "--hydra-pin", "legacy-2016", "--download-on-pi",
                "--hydra-source", src[0], "--hydra-hash", wrong);
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains(wrong) && r.stderr().contains(src[1]), r.stderr());
        try (Stream<Path> s = Files.list(outDir)) {
            assertEquals(0, s.count());
        }
    }

    @Test
    void build_hydraSourceUrl_downloadsThroughRedirectOnce_andCaches() throws Exception {
        String[] src = fakeSource();
        byte[] tarball = Files.readAllBytes(Path.of(src[0]));
        java.util.concurrent.atomic.AtomicInteger downloads = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/latest.tar.gz", ex -> {
            ex.getResponseHeaders().add("Location", "/files/hydra-993647d.tar.gz");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.createContext("/files/hydra-993647d.tar.gz", ex -> {
            downloads.incrementAndGet();
            ex.sendResponseHeaders(200, tarball.length);
            ex.getResponseBody().write(tarball);
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/latest.tar.gz";
            Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000", "XDG_CACHE_HOME",
                    tmp.resolve("cache").toString());
            for (int i = 0; i < 2; i++) {
                Path out = tmp.resolve("u" + i + ".img.xz");
                Cli.Run r = Cli.run(env, "build", "--base", Samples.sampleXz().toString(), "--out", out.toString(),
                        "--user", "alice", "--hydra-pin", "legacy-2016", "--download-on-pi", "--hydra-source", url, "--hydra-hash",
                        src[1], "--quiet");
                assertEquals(0, r.exitCode(), r.stderr());
                Path raw = tmp.resolve("u" + i + ".img");
                Oracles.xzDecompress(out, raw);
                assertArrayEquals(tarball, Oracles.debugfsCat(raw, Samples.ROOT_OFFSET,
                        "/var/cache/hydra-firstboot/src/hydra-993647d1e3b43f1f9b7dc2ebce889b475d156bb9.tar.gz"));
            }
            assertEquals(1, downloads.get(), "the second build must use the cache");
            Cli.Run missing = Cli.run(env, "build", "--base", Samples.sampleXz().toString(), "--out",
                    tmp.resolve("m.img.xz").toString(), "--user", "alice", "--hydra-pin", "legacy-2016", "--download-on-pi",
                    "--hydra-source", "http://127.0.0.1:" + server.getAddress().getPort() + "/nope.tar.gz",
                    "--quiet");
            // A failed download is an I/O error of the host (6), reported on one line.
            assertEquals(6, missing.exitCode(), missing.stderr());
            assertTrue(missing.stderr().contains("HTTP 404"), missing.stderr());
            assertEquals(1, missing.stderr().strip().lines().count(), missing.stderr());
        } finally {
            server.stop(0);
        }
    }

    /** raspberry-pi-os-image.md §2.7: timesyncd starts the clock at the clock file's mtime, so it must be the build's. */
    @Test
    void build_timesyncClockTakesTheBuildTime_ownerAndModeKept() throws Exception {
        Path base = Samples.make(tmp.resolve("trixie.img.xz"), Map.of("STYLE", "trixie"));
        Path raw0 = tmp.resolve("base.img");
        Oracles.xzDecompress(base, raw0);
        String before = Oracles.debugfsStat(raw0, Samples.ROOT_OFFSET, "/var/lib/systemd/timesync/clock");
        long epoch = 1767225600; // 2026-01-01, later than every timestamp of the sample
        Path out = tmp.resolve("c.img.xz");
        Cli.Run r = Cli.run(Map.of("SOURCE_DATE_EPOCH", Long.toString(epoch)), "build", "--base", base.toString(),
                "--out", out.toString(), "--user", "alice", "--no-hydra", "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        Path raw = tmp.resolve("c.img");
        Oracles.xzDecompress(out, raw);
        Oracles.assertE2fsckClean(raw, Samples.ROOT_OFFSET);
        String after = Oracles.debugfsStat(raw, Samples.ROOT_OFFSET, "/var/lib/systemd/timesync/clock");
        assertTrue(Long.parseLong(field(before, "mtime: 0x([0-9a-f]+)"), 16) < epoch, before);
        assertEquals(epoch, Long.parseLong(field(after, "mtime: 0x([0-9a-f]+)"), 16), after);
        assertEquals(field(before, "Inode: (\\d+)"), field(after, "Inode: (\\d+)"), "replaced in place");
        assertEquals("997", field(after, "User:\\s+(\\d+)"));
        assertEquals("997", field(after, "Group:\\s+(\\d+)"));
        assertEquals("0644", field(after, "Mode:\\s+(\\d+)"));
        assertEquals("0", field(after, "Size:\\s+(\\d+)"));
    }

    @Test
    void build_recipeOptionWithoutUser_isUsage() {
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                tmp.resolve("o.img.xz").toString(), "--hostname", "x");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("need --user"), r.stderr());
    }
}
