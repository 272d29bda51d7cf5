// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.recipe.NarHash;
import hydrapi.recipe.PinnedSources;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, scope 2, 3 and 5: the legacy pin's sources go into the image checked by hash, jobset directories go in
 * for Hydra, and what can only fail on the Pi is refused at build time with one line, exit 2 and nothing written.
 * Judged by debugfs and sha256sum, and by bash reading config.env as stage 04 and 07 do.
 */
class BuildSourcesTest {

    static final String CACHE = "/var/cache/hydra-firstboot/src";

    @TempDir
    Path tmp;

    /** Stand-ins for the seven CPAN files, under the pin's names, and the --cpan-hash options that admit them. */
    private List<String> fakeCpan(Path dir) throws Exception {
        Files.createDirectories(dir);
        List<String> opts = new ArrayList<>(List.of("--cpan-source", dir.toString()));
        for (PinnedSources.Source c : PinnedSources.of(hydrapi.recipe.Pin.LEGACY_2016).cpan()) {
            Path f = Files.writeString(dir.resolve(c.name()), "stand-in for " + c.name() + "\n");
            opts.addAll(List.of("--cpan-hash", c.name() + "=" + sha256(f)));
        }
        return opts;
    }

    private static String sha256(Path f) throws Exception {
        return Oracles.run("sha256sum", f.toString()).out().split(" ")[0];
    }

    private Path fakeHydra() throws Exception {
        Path top = Files.createDirectories(tmp.resolve("hydra-src/hydra-993647d"));
        Files.writeString(top.resolve("version"), "0.1\n");
        Path tarball = tmp.resolve("hydra-993647d.tar.gz");
        Oracles.check("tar", "-C", tmp.resolve("hydra-src").toString(), "-czf", tarball.toString(), "hydra-993647d");
        return tarball;
    }

    private static void assertNothingWritten(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void build_legacySourcesGoIntoTheImageWithTheirHashesInConfig() throws Exception {
        Path nix = Files.writeString(tmp.resolve("nix-1.11.16.tar.xz"), "a self-made nix tarball\n");
        Path hydra = fakeHydra();
        String hydraNar = NarHash.ofTarball(hydra);
        List<String> args = new ArrayList<>(List.of("build", "--base", Samples.sampleXz().toString(), "--out",
                tmp.resolve("o.img.xz").toString(), "--user", "alice", "--hydra-pin", "legacy-2016", "--nix-source",
                nix.toString(), "--nix-hash", sha256(nix), "--hydra-source", hydra.toString(), "--hydra-hash",
                hydraNar, "--quiet"));
        args.addAll(fakeCpan(tmp.resolve("cpan")));
        Cli.Run r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.stderr());
        Path raw = tmp.resolve("o.img");
        Oracles.xzDecompress(tmp.resolve("o.img.xz"), raw);
        long off = Samples.ROOT_OFFSET;
        Oracles.assertE2fsckClean(raw, off);
        assertArrayEquals(Files.readAllBytes(nix), Oracles.debugfsCat(raw, off, CACHE + "/nix-1.11.16.tar.xz"));
        assertArrayEquals(Files.readAllBytes(hydra), Oracles.debugfsCat(raw, off,
                CACHE + "/hydra-993647d1e3b43f1f9b7dc2ebce889b475d156bb9.tar.gz"));
        for (PinnedSources.Source c : PinnedSources.of(hydrapi.recipe.Pin.LEGACY_2016).cpan()) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("cpan").resolve(c.name())),
                    Oracles.debugfsCat(raw, off, CACHE + "/cpan/" + c.name()), c.name());
        }
        // What the stages read, read by bash: the file's own sha256 (not the pin's), so the Pi accepts its copy.
        Path config = tmp.resolve("config.env");
        Files.write(config, Oracles.debugfsCat(raw, off, "/etc/hydra-firstboot/config.env"));
        String got = Oracles.run("bash", "-c", ". " + config + "; echo \"$NIX_TARBALL_SHA256\"; "
                + "for d in $CPAN_DISTS; do echo \"${d%%=*} ${d##*/}\"; done").out();
        assertTrue(got.startsWith(sha256(nix) + "\n"), got);
        for (PinnedSources.Source c : PinnedSources.of(hydrapi.recipe.Pin.LEGACY_2016).cpan()) {
            assertTrue(got.contains(sha256(tmp.resolve("cpan").resolve(c.name())) + " " + c.name() + "\n"), got);
        }
    }

    /** A CPAN mirror and a Nix URL on loopback: downloaded once into the user's cache, checked, put in the image. */
    @Test
    void build_sourcesByUrlAreDownloadedOnceIntoTheCache() throws Exception {
        Path files = Files.createDirectories(tmp.resolve("mirror"));
        List<String> hashes = new ArrayList<>();
        java.util.Map<String, byte[]> served = new java.util.HashMap<>();
        for (PinnedSources.Source c : PinnedSources.of(hydrapi.recipe.Pin.LEGACY_2016).cpan()) {
            Path f = Files.writeString(files.resolve(c.name()), "served " + c.name() + "\n");
            String author = c.url().substring(PinnedSources.CPAN_MIRROR.length());
            served.put("/cpan/authors/id" + author, Files.readAllBytes(f));
            hashes.addAll(List.of("--cpan-hash", c.name() + "=" + sha256(f)));
        }
        Path nix = Files.writeString(files.resolve("nix.tar.xz"), "served nix\n");
        served.put("/nix/nix-1.11.16.tar.xz", Files.readAllBytes(nix));
        java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            byte[] body = served.get(ex.getRequestURI().getPath());
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            java.util.Map<String, String> env = java.util.Map.of("SOURCE_DATE_EPOCH", "1700000000", "XDG_CACHE_HOME",
                    tmp.resolve("cache").toString());
            for (int i = 0; i < 2; i++) {
                List<String> args = new ArrayList<>(List.of("build", "--base", Samples.sampleXz().toString(), "--out",
                        tmp.resolve("u" + i + ".img.xz").toString(), "--user", "alice", "--hydra-pin", "legacy-2016",
                        "--download-on-pi", "--nix-source", base + "/nix/nix-1.11.16.tar.xz", "--nix-hash",
                        sha256(nix), "--cpan-source", base + "/cpan/authors/id/", "--quiet"));
                args.addAll(hashes);
                Cli.Run r = Cli.run(env, args.toArray(String[]::new));
                assertEquals(0, r.exitCode(), r.stderr());
            }
            assertEquals(8, requests.get(), "the second build must use the cache");
            Path raw = tmp.resolve("u1.img");
            Oracles.xzDecompress(tmp.resolve("u1.img.xz"), raw);
            assertArrayEquals(Files.readAllBytes(nix), Oracles.debugfsCat(raw, Samples.ROOT_OFFSET,
                    CACHE + "/nix-1.11.16.tar.xz"));
            assertArrayEquals(Files.readAllBytes(files.resolve("Digest-SHA1-2.13.tar.gz")), Oracles.debugfsCat(raw,
                    Samples.ROOT_OFFSET, CACHE + "/cpan/Digest-SHA1-2.13.tar.gz"));
            // Hydra's source was left to the Pi: not in the image, its GitHub URL in the configuration.
            String config = new String(Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/hydra-firstboot/config.env"),
                    StandardCharsets.UTF_8);
            assertTrue(config.contains("HYDRA_SOURCE_URL='https://github.com/NixOS/hydra/archive/"
                    + "993647d1e3b43f1f9b7dc2ebce889b475d156bb9.tar.gz'"), config);
            Cli.Run missing = Cli.run(env, "build", "--base", Samples.sampleXz().toString(), "--out",
                    tmp.resolve("m.img.xz").toString(), "--user", "alice", "--hydra-pin", "legacy-2016",
                    "--download-on-pi", "--nix-source", base + "/nope.tar.xz", "--quiet");
            assertEquals(6, missing.exitCode(), missing.stderr());
            assertTrue(missing.stderr().contains("could not download nix-1.11.16.tar.xz")
                    && missing.stderr().contains("HTTP 404"), missing.stderr());
            assertEquals(1, missing.stderr().strip().lines().count(), missing.stderr());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void build_sourceThatDoesNotMatchItsHashIsRefusedAndNothingWritten() throws Exception {
        Path nix = Files.writeString(tmp.resolve("nix-1.11.16.tar.xz"), "not nixos.org's tarball\n");
        Path out = Files.createDirectories(tmp.resolve("out"));
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.resolve("o.img.xz")
                .toString(), "--user", "alice", "--hydra-pin", "legacy-2016", "--download-on-pi", "--nix-source",
                nix.toString());
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertTrue(r.stderr().contains(sha256(nix)) && r.stderr().contains(
                "0ca5782fc37d62238d13a620a7b4bff6a200bab1bd63003709249a776162357c"), r.stderr());
        assertNothingWritten(out);

        // A CPAN directory without one of the pinned files, and a replacement of a distribution the pin lacks.
        Path cpan = Files.createDirectories(tmp.resolve("partial"));
        Cli.Run missing = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                out.resolve("o.img.xz").toString(), "--user", "alice", "--hydra-pin", "legacy-2016",
                "--download-on-pi", "--cpan-source", cpan.toString());
        assertEquals(2, missing.exitCode(), missing.stderr());
        assertTrue(missing.stderr().contains("Catalyst-Plugin-AccessLog-1.10.tar.gz"), missing.stderr());
        Cli.Run foreign = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                out.resolve("o.img.xz").toString(), "--user", "alice", "--hydra-pin", "legacy-2016",
                "--download-on-pi", "--cpan-source", cpan.toString(), "--cpan-hash", "Moose-2.2.tar.gz=" + sha256(nix));
        assertEquals(2, foreign.exitCode(), foreign.stderr());
        assertTrue(foreign.stderr().contains("distribution Moose"), foreign.stderr());
        assertNothingWritten(out);
    }

    @Test
    void build_optionsThatCannotApplyAreRefusedByName() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        String o = out.resolve("o.img.xz").toString();
        String base = Samples.sampleXz().toString();
        Path nix = Files.writeString(tmp.resolve("n.tar.xz"), "x");
        List<String[]> cases = List.of(
                new String[] {"--hydra-hash", "hash without source", "--hydra-hash", NarHash.sri(new byte[32])},
                new String[] {"--nix-hash", "hash without source", "--nix-hash", NarHash.sri(new byte[32])},
                new String[] {"apply to legacy-2016", "modern pin", "--hydra-pin", "modern", "--nix-source", nix.toString()},
                new String[] {"--jobset", "bad jobset", "--jobset", "9x=" + tmp},
                new String[] {"--jobset", "no-hydra", "--no-hydra", "--jobset", "x=https://example.org/x.git"});
        // Each case: text the refusal must name, what it is about, the options.
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("build", "--base", base, "--out", o, "--user", "alice",
                    "--download-on-pi"));
            args.addAll(List.of(c).subList(2, c.length));
            if (!args.contains("--hydra-pin")) {
                args.addAll(List.of("--hydra-pin", "legacy-2016"));
            }
            if (args.contains("--no-hydra") || args.contains("modern")) {
                args.remove("--download-on-pi");
            }
            Cli.Run r = Cli.run(args.toArray(String[]::new));
            assertEquals(2, r.exitCode(), c[1] + ": " + r.stderr());
            assertEquals(1, r.stderr().strip().lines().count(), c[1] + ": " + r.stderr());
            assertTrue(r.stderr().contains(c[0]), c[1] + ": " + r.stderr());
            assertNothingWritten(out);
        }
    }

    /** Scope 5: the image's os-release and ELF headers refuse, at build time, a pin its first boot could only fail. */
    @Test
    void build_pinTheImageCannotRunIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path trixie = imageWith("trixie.img", "VERSION_CODENAME=trixie\n", elf(0xB7, 2));
        Path out = Files.createDirectories(tmp.resolve("out"));
        Cli.Run legacy = Cli.run("build", "--base", trixie.toString(), "--out", out.resolve("o.img.xz").toString(),
                "--user", "alice", "--hydra-pin", "legacy-2016");
        assertEquals(2, legacy.exitCode(), legacy.stderr());
        assertTrue(legacy.stderr().contains("Debian trixie") && legacy.stderr().contains("libpqxx"), legacy.stderr());
        assertEquals(1, legacy.stderr().strip().lines().count(), legacy.stderr());
        assertNothingWritten(out);

        Path armhf = imageWith("armhf.img", "VERSION_CODENAME=bookworm\n", elf(0x28, 1));
        Cli.Run modern = Cli.run("build", "--base", armhf.toString(), "--out", out.resolve("o.img.xz").toString(),
                "--user", "alice", "--hydra-pin", "modern");
        assertEquals(2, modern.exitCode(), modern.stderr());
        assertTrue(modern.stderr().contains("armhf (32-bit)"), modern.stderr());
        assertNothingWritten(out);

        // What each image can run is built: modern on arm64 trixie; legacy on armhf bookworm (the Pi compiles it).
        assertEquals(0, Cli.run("build", "--base", trixie.toString(), "--out", out.resolve("m.img.xz").toString(),
                "--user", "alice", "--hydra-pin", "modern", "--quiet").exitCode());
        Cli.Run ok = Cli.run("build", "--base", armhf.toString(), "--out", out.resolve("l.img.xz").toString(),
                "--user", "alice", "--hydra-pin", "legacy-2016", "--download-on-pi", "--quiet");
        assertEquals(0, ok.exitCode(), ok.stderr());
        Path raw = tmp.resolve("l.img");
        Oracles.xzDecompress(out.resolve("l.img.xz"), raw);
        String env = new String(Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/hydra/hydra.env"),
                StandardCharsets.UTF_8);
        assertTrue(env.contains("/site_perl/5.36.0/arm-linux-gnueabihf-thread-multi-64int\n"), env);
        assertFalse(env.contains("aarch64"), env);
    }

    @Test
    void build_jobsetDirectoryLandsInTheImageOwnedByHydra() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("smoke"));
        Files.writeString(dir.resolve("release.nix"), "{ }\n");
        Path out = tmp.resolve("j.img.xz");
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(), "--user",
                "alice", "--hydra-pin", "legacy-2016", "--download-on-pi", "--jobset", "smoke=" + dir, "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        Path raw = tmp.resolve("j.img");
        Oracles.xzDecompress(out, raw);
        long off = Samples.ROOT_OFFSET;
        Oracles.assertE2fsckClean(raw, off);
        assertArrayEquals("{ }\n".getBytes(StandardCharsets.UTF_8), Oracles.debugfsCat(raw, off,
                "/var/lib/hydra/jobsets/smoke/release.nix"));
        String passwd = new String(Oracles.debugfsCat(raw, off, "/etc/passwd"), StandardCharsets.UTF_8);
        String uid = passwd.lines().filter(l -> l.startsWith("hydra:")).findFirst().orElseThrow().split(":")[2];
        String stat = Oracles.debugfsStat(raw, off, "/var/lib/hydra/jobsets/smoke/release.nix");
        assertTrue(stat.matches("(?s).*User:\\s+" + uid + "\\s.*"), stat);
        assertEquals("# NAME TYPE VALUE [BRANCH]: made by hydrapi, read by stage 13.\n"
                + "smoke path /var/lib/hydra/jobsets/smoke\n", new String(Oracles.debugfsCat(raw, off,
                "/etc/hydra-firstboot/jobsets"), StandardCharsets.UTF_8));
    }

    /** A 20-byte ELF header of the given machine and class (1: 32-bit, 2: 64-bit), little-endian. */
    private static byte[] elf(int machine, int elfClass) {
        byte[] h = new byte[64];
        h[0] = 0x7F;
        h[1] = 'E';
        h[2] = 'L';
        h[3] = 'F';
        h[4] = (byte) elfClass;
        h[5] = 1;
        h[6] = 1;
        h[0x12] = (byte) machine;
        h[0x13] = (byte) (machine >> 8);
        return h;
    }

    /** The sample base, raw, with /usr/lib/os-release and /usr/bin/dpkg written by debugfs (not by our writer). */
    private Path imageWith(String name, String osRelease, byte[] dpkg) throws Exception {
        Path raw = tmp.resolve(name);
        Oracles.xzDecompress(Samples.sampleXz(), raw);
        Path release = Files.writeString(tmp.resolve(name + ".os-release"), osRelease);
        Path bin = Files.write(tmp.resolve(name + ".dpkg"), dpkg);
        Path script = Files.writeString(tmp.resolve(name + ".debugfs"), "mkdir /usr/lib\nmkdir /usr/bin\n"
                + "write " + release + " /usr/lib/os-release\nwrite " + bin + " /usr/bin/dpkg\n");
        Oracles.run("debugfs", "-w", "-f", script.toString(), raw + "?offset=" + Samples.ROOT_OFFSET);
        assertTrue(new String(Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/usr/lib/os-release"),
                StandardCharsets.UTF_8).equals(osRelease));
        return raw;
    }
}
