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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build --overlay reaching the ext4 root partition, judged by e2fsck and debugfs. */
class BuildRootfsTest {

    @TempDir
    Path tmp;

    private static String stat(Path raw, String path) throws Exception {
        return Oracles.debugfsStat(raw, Samples.ROOT_OFFSET, path);
    }

    private static String field(String stat, String regex) {
        Matcher m = Pattern.compile(regex).matcher(stat);
        assertTrue(m.find(), regex + " not in:\n" + stat);
        return m.group(1);
    }

    private Path build(Path overlay, int expectCode, String... extra) throws Exception {
        Path out = tmp.resolve("out-" + System.nanoTime() + ".img.xz");
        List<String> args = new java.util.ArrayList<>(List.of("build", "--base", Samples.sampleXz().toString(),
                "--out", out.toString(), "--overlay", overlay.toString(), "--quiet"));
        args.addAll(List.of(extra));
        Cli.Run r = Cli.run(args.toArray(String[]::new));
        assertEquals(expectCode, r.exitCode(), r.stderr());
        if (expectCode != 0) {
            assertFalse(Files.exists(out));
            return null;
        }
        Path raw = tmp.resolve("raw-" + System.nanoTime() + ".img");
        Oracles.xzDecompress(out, raw);
        return raw;
    }

    @Test
    void build_rootOverlay_filesDirsSymlinksModesOwners_areE2fsckCleanAndReadBack() throws Exception {
        Path d = tmp.resolve("ov");
        Path env = Files.createDirectories(d.resolve("etc/hydra")).resolve("hydra.env");
        Files.writeString(env, "HYDRA_DBI=dbi:Pg:dbname=hydra;user=hydra;\n");
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r-----"));
        Path tool = Files.createDirectories(d.resolve("usr/local/bin")).resolve("hydra-tool");
        Files.writeString(tool, "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        byte[] big = new byte[3_000_000];
        new Random(11).nextBytes(big);
        Files.write(Files.createDirectories(d.resolve("var/cache/hydrapi/src")).resolve("hydra.tar.gz"), big);
        Files.createSymbolicLink(d.resolve("etc/hydra/current"), Path.of("hydra.env"));
        Files.createSymbolicLink(d.resolve("etc/hydra/long-link"), Path.of("/" + "x".repeat(100) + "/target"));
        Files.writeString(d.resolve("etc/hostname"), "hydrapi\n");
        Files.writeString(d.resolve(".hydrapi-manifest"), "# mode owner path\n"
                + "0640  root:shadow  /etc/hydra/hydra.env\n"
                + "-     1000:100     /var/cache/hydrapi\n"
                + "0700  -            /root\n");
        String inodeBefore = field(stat(Samples.sampleRaw(tmp), "/etc/hostname"), "Inode: (\\d+)");

        Path raw = build(d, 0);
        Oracles.assertE2fsckClean(raw, Samples.ROOT_OFFSET);
        Oracles.assertE2fsckFixesNothing(raw, Samples.ROOT_OFFSET, Samples.ROOT_SIZE);
        Oracles.assertFsckFatClean(raw, Samples.BOOT_OFFSET, Samples.BOOT_SIZE);

        assertArrayEquals(Files.readAllBytes(env), Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/hydra/hydra.env"));
        String envStat = stat(raw, "/etc/hydra/hydra.env");
        assertEquals("0640", field(envStat, "Mode:\\s+(\\d+)"));
        assertEquals("0", field(envStat, "User:\\s+(\\d+)"));
        assertEquals("42", field(envStat, "Group:\\s+(\\d+)"));
        assertEquals("0755", field(stat(raw, "/usr/local/bin/hydra-tool"), "Mode:\\s+(\\d+)"));
        assertArrayEquals(big, Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/var/cache/hydrapi/src/hydra.tar.gz"));
        String cache = stat(raw, "/var/cache/hydrapi");
        assertEquals("1000", field(cache, "User:\\s+(\\d+)"));
        assertEquals("100", field(cache, "Group:\\s+(\\d+)"));
        assertEquals("0700", field(stat(raw, "/root"), "Mode:\\s+(\\d+)"));
        assertEquals("hydra.env", field(stat(raw, "/etc/hydra/current"), "Fast link dest: \"(.*)\""));
        // A slow symlink (target over 59 bytes) keeps its target in a data block, which debugfs cat prints.
        assertTrue(stat(raw, "/etc/hydra/long-link").contains("Type: symlink"));
        assertEquals("/" + "x".repeat(100) + "/target", new String(Oracles.debugfsCat(raw, Samples.ROOT_OFFSET,
                "/etc/hydra/long-link"), StandardCharsets.UTF_8));
        // The replaced file keeps its inode.
        String host = stat(raw, "/etc/hostname");
        assertEquals(inodeBefore, field(host, "Inode: (\\d+)"));
        assertEquals("hydrapi\n", new String(Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/hostname"),
                StandardCharsets.UTF_8));
        // Existing directories keep their mode and owner: /etc was not chmod-ed to the overlay's.
        assertEquals("0755", field(stat(raw, "/etc"), "Mode:\\s+(\\d+)"));
        // The boot partition is untouched by a root-only overlay.
        Path base = Samples.sampleRaw(tmp);
        Oracles.check("cmp", "-i", Samples.BOOT_OFFSET + ":" + Samples.BOOT_OFFSET, "-n",
                String.valueOf(Samples.BOOT_SIZE), base.toString(), raw.toString());
        // inspect reads the root partition back the same way.
        Path out = Files.list(tmp).filter(p -> p.toString().endsWith(".img.xz")).findFirst().orElseThrow();
        Cli.Run ls = Cli.run("inspect", out.toString(), "--ls", "/etc/hydra");
        assertTrue(ls.out().contains("current -> hydra.env"), ls.out());
        assertTrue(ls.out().matches("(?s).*-rw-r-----\\s+0\\s+42\\s+\\d+ \\S+ hydra.env\\n.*"), ls.out());
        assertEquals(0, Cli.run("verify", out.toString()).exitCode());
    }

    @Test
    void build_pathThroughImageSymlink_isRefused() throws Exception {
        Path d = tmp.resolve("ov");
        Files.writeString(Files.createDirectories(d.resolve("bin")).resolve("tool"), "x");
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                tmp.resolve("o.img.xz").toString(), "--overlay", d.toString());
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("/bin is a symlink in the image"), r.stderr());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(d), s.toList());
        }
    }

    @Test
    void build_rootOverlayTooBig_isNoSpace() throws Exception {
        Path d = tmp.resolve("ov");
        Path f = Files.createDirectories(d.resolve("opt")).resolve("huge.bin");
        Oracles.check("truncate", "-s", "60M", f.toString());
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                tmp.resolve("o.img.xz").toString(), "--overlay", d.toString());
        assertEquals(5, r.exitCode(), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertFalse(Files.exists(tmp.resolve("o.img.xz")));
    }

    @Test
    void build_manifestUnknownUser_isInvalidInput() throws Exception {
        Path d = tmp.resolve("ov");
        Files.writeString(Files.createDirectories(d.resolve("etc")).resolve("x.conf"), "x");
        Files.writeString(d.resolve(".hydrapi-manifest"), "0600 nosuchuser /etc/x.conf\n");
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out",
                tmp.resolve("o.img.xz").toString(), "--overlay", d.toString());
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("no user 'nosuchuser' in the image's /etc/passwd"), r.stderr());
    }
}
