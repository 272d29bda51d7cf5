// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.ManifestOracle;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The foundation's acceptance, judged by xz-utils, sha256sum, fsck.fat, mtools, debugfs, jq and cmp. */
class BuildCommandTest {

    @TempDir
    Path tmp;

    private Path overlay() throws Exception {
        Path d = tmp.resolve("overlay");
        Path fw = Files.createDirectories(d.resolve("boot/firmware"));
        Files.writeString(fw.resolve("config.txt"), "# replaced by hydrapi test\narm_64bit=1\nenable_uart=1\n");
        Files.writeString(fw.resolve("hydrapi first boot notes.txt"), "long name with spaces\n");
        byte[] big = new byte[300_000];
        new Random(7).nextBytes(big);
        Files.write(Files.createDirectories(fw.resolve("hydrapi/deep/er")).resolve("payload.bin"), big);
        Files.writeString(Files.createDirectories(fw.resolve("overlays")).resolve("overlay-number-7.dtbo"),
                "changed overlay\n");
        return d;
    }

    @Test
    void build_overlaySshCmdline_passesEveryOracle() throws Exception {
        Path overlay = overlay();
        Path out = tmp.resolve("out/hydra.img.xz");
        Files.createDirectories(out.getParent());
        byte[] baseBefore = Files.readAllBytes(Samples.sampleXz());
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(),
                "--overlay", overlay.toString(), "--ssh", "--cmdline-append", "quiet splash", "--json");
        assertEquals(0, r.exitCode(), r.stderr());
        // Block 4 of the base (the end of the root partition) is untouched: copied, not recompressed. The touched
        // ones are written as 4 MiB blocks.
        Matcher reused = Pattern.compile("\"xzReusedBlocks\": (\\d+)").matcher(r.out());
        assertTrue(reused.find() && Integer.parseInt(reused.group(1)) >= 1, r.out());
        Matcher recompressed = Pattern.compile("\"xzRecompressedBlocks\": (\\d+)").matcher(r.out());
        assertTrue(recompressed.find(), r.out());
        int blocks = Integer.parseInt(reused.group(1)) + Integer.parseInt(recompressed.group(1));
        assertTrue(r.out().contains("\"xzBlocks\": " + blocks + ","), r.out());
        assertTrue(Integer.parseInt(reused.group(1)) < 4 && blocks > 4, r.out());

        Oracles.assertXzTest(out);
        String list = Oracles.xzList(out);
        assertTrue(list.contains("Sizes in headers:  Yes"), list);
        Matcher m = Pattern.compile("Blocks:\\s+(\\d+)").matcher(list);
        assertTrue(m.find() && Integer.parseInt(m.group(1)) == blocks, list);
        Oracles.assertSha256sumOk(out.resolveSibling("hydra.img.xz.sha256"));

        Path raw = tmp.resolve("out.img");
        Oracles.xzDecompress(out, raw);
        // The other decoders issue 5 names read the same bytes: libarchive and 7-Zip.
        byte[] decoded = Files.readAllBytes(raw);
        assertArrayEquals(decoded, Oracles.check("bsdcat", out.toString()), "bsdcat");
        assertTrue(new String(Oracles.check("7zz", "t", out.toString()), StandardCharsets.UTF_8)
                .contains("Everything is Ok"));
        assertArrayEquals(decoded, Oracles.check("7zz", "x", "-so", out.toString()), "7-Zip");
        Oracles.assertFsckFatClean(raw, Samples.BOOT_OFFSET, Samples.BOOT_SIZE);
        try (Stream<Path> files = Files.walk(overlay.resolve("boot/firmware"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String inner = "/" + overlay.resolve("boot/firmware").relativize(f).toString();
                assertArrayEquals(Files.readAllBytes(f), Oracles.mtype(raw, Samples.BOOT_OFFSET, inner), inner);
            }
        }
        assertArrayEquals(new byte[0], Oracles.mtype(raw, Samples.BOOT_OFFSET, "/ssh"));
        String cmdline = new String(Oracles.mtype(raw, Samples.BOOT_OFFSET, "/cmdline.txt"), StandardCharsets.UTF_8);
        assertEquals(1, cmdline.split("\n", -1).length - 1, cmdline);
        assertTrue(cmdline.endsWith(" splash\n"), cmdline);
        assertEquals(1, Pattern.compile("\\bquiet\\b").matcher(cmdline).results().count(), cmdline);

        // The root partition gained the build manifest and nothing else; the sidecar holds the same bytes.
        Path base = Samples.sampleRaw(tmp);
        assertEquals(List.of("Only in B/etc: hydrapi"), Oracles.ext4TreeDiff(base, raw, Samples.ROOT_OFFSET, tmp));
        Oracles.assertE2fsckClean(raw, Samples.ROOT_OFFSET);
        Oracles.assertE2fsckFixesNothing(raw, Samples.ROOT_OFFSET, Samples.ROOT_SIZE);
        Path manifest = out.resolveSibling("hydra.img.xz.manifest.json");
        assertArrayEquals(Files.readAllBytes(manifest),
                Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/hydrapi/manifest.json"));
        assertTrue(Oracles.debugfsStat(raw, Samples.ROOT_OFFSET, "/etc/hydrapi/manifest.json")
                .matches("(?s).*Mode:\\s+0644.*User:\\s+0\\s+Group:\\s+0.*"));
        // It lists every overlay file, ssh and the edited cmdline.txt, each with the hash mtools reads back.
        List<String> listed = ManifestOracle.paths(manifest).stream().map(ManifestOracle.Listed::path).toList();
        try (Stream<Path> files = Files.walk(overlay)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertTrue(listed.contains("/" + overlay.relativize(f)), f + " in " + listed);
            }
        }
        assertTrue(listed.containsAll(List.of("/boot/firmware/ssh", "/boot/firmware/cmdline.txt",
                "/boot/firmware/hydrapi/deep/er")), listed.toString());
        assertEquals(listed.size(), ManifestOracle.assertMatchesImage(manifest, raw, tmp));
        Oracles.check("jq", "-e", ".base.name == \"sample-base.img.xz\" and .base.url == null"
                + " and .base.signature == \"unsigned\" and .source_date_epoch == 1700000000"
                + " and .recipes == [{\"name\": \"raspberry-pi-boot\", \"facts\": {\"cmdline_append\": \"quiet splash\","
                + " \"ssh\": \"enabled\"}}]"
                + " and .base.sha256 == \"" + ManifestOracle.sha256sum(baseBefore, tmp) + "\"", manifest.toString());
        // The local base has no .sig: accepted, with one warning after the build.
        assertTrue(r.stderr().matches("hydrapi: warning: base sample-base.img.xz has no .sig beside it[^\n]*\n"),
                r.stderr());
        // The base file itself is untouched.
        assertArrayEquals(baseBefore, Files.readAllBytes(Samples.sampleXz()));
    }

    @Test
    void build_fromRawAndZipBases_givesTheSameImage() throws Exception {
        Path raw = Samples.sampleRaw(tmp);
        Path zip = tmp.resolve("base.zip");
        Oracles.check("zip", "-j", "-q", zip.toString(), raw.toString());
        Path fromXz = tmp.resolve("x.img.xz");
        Path fromRaw = tmp.resolve("r.img.xz");
        Path fromZip = tmp.resolve("z.img.xz");
        for (Path[] p : new Path[][] {{Samples.sampleXz(), fromXz}, {raw, fromRaw}, {zip, fromZip}}) {
            Cli.Run r = Cli.run("build", "--base", p[0].toString(), "--out", p[1].toString(), "--ssh", "--quiet");
            assertEquals(0, r.exitCode(), p[0] + ": " + r.stderr());
        }
        // The three decode to the same disk, but for the manifest inside, which names each base file and its hash.
        Path[] decoded = new Path[3];
        Path[] outs = {fromXz, fromRaw, fromZip};
        Path[] bases = {Samples.sampleXz(), raw, zip};
        for (int i = 0; i < 3; i++) {
            decoded[i] = tmp.resolve(i + ".img");
            Oracles.xzDecompress(outs[i], decoded[i]);
            Path manifest = outs[i].resolveSibling(outs[i].getFileName() + ".manifest.json");
            Oracles.check("jq", "-e", ".base.name == \"" + bases[i].getFileName() + "\" and .base.sha256 == \""
                    + ManifestOracle.sha256sum(Files.readAllBytes(bases[i]), tmp) + "\"", manifest.toString());
        }
        for (int i = 1; i < 3; i++) {
            Oracles.check("cmp", "-n", String.valueOf(Samples.ROOT_OFFSET), decoded[0].toString(),
                    decoded[i].toString());
            assertEquals(List.of("Files A/etc/hydrapi/manifest.json and B/etc/hydrapi/manifest.json differ"),
                    Oracles.ext4TreeDiff(decoded[0], decoded[i], Samples.ROOT_OFFSET, tmp));
            assertEquals(Oracles.run("jq", "-S", "del(.base)", outs[0] + ".manifest.json").out(),
                    Oracles.run("jq", "-S", "del(.base)", outs[i] + ".manifest.json").out());
        }
    }

    @Test
    void build_fromConcatenatedXzStreams_readsThemAll() throws Exception {
        Path raw = Samples.sampleRaw(tmp);
        long half = Files.size(raw) / 2;
        Path cat = tmp.resolve("cat.img.xz");
        Oracles.check("sh", "-c", "{ head -c \"$1\" \"$0\" | xz -T1 -c; tail -c +$(($1 + 1)) \"$0\" | xz -T1 -c; }"
                + " > \"$2\"", raw.toString(), String.valueOf(half), cat.toString());
        Path out = tmp.resolve("o.img.xz");
        Cli.Run r = Cli.run("build", "--base", cat.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        Path back = tmp.resolve("back.img");
        Oracles.xzDecompress(out, back);
        // Both streams were read: the whole disk is the base's, plus the build manifest in the root partition.
        Oracles.check("cmp", "-n", String.valueOf(Samples.ROOT_OFFSET), raw.toString(), back.toString());
        assertEquals(List.of("Only in B/etc: hydrapi"), Oracles.ext4TreeDiff(raw, back, Samples.ROOT_OFFSET, tmp));
    }

    // ---- refusals: one line, documented code, nothing left behind ------------------------------------------

    private void assertRefused(int code, String needle, Path outDir, String... args) throws Exception {
        List<Path> before;
        try (Stream<Path> s = Files.list(outDir)) {
            before = s.sorted().toList();
        }
        Cli.Run r = Cli.run(args);
        assertEquals(code, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("hydrapi: "), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), "one line: " + r.stderr());
        assertTrue(r.stderr().contains(needle), r.stderr());
        try (Stream<Path> s = Files.list(outDir)) {
            assertEquals(before, s.sorted().toList(), "output directory changed");
        }
    }

    @Test
    void build_truncatedXz_isCorrupt() throws Exception {
        Path t = tmp.resolve("t.img.xz");
        byte[] all = Files.readAllBytes(Samples.sampleXz());
        Files.write(t, java.util.Arrays.copyOf(all, all.length / 2));
        assertRefused(4, "t.img.xz", tmp, "build", "--base", t.toString(), "--out", tmp.resolve("o.img.xz").toString());
    }

    @Test
    void build_corruptedXzBlock_isCorrupt() throws Exception {
        Path c = tmp.resolve("c.img.xz");
        byte[] all = Files.readAllBytes(Samples.sampleXz());
        all[6000] ^= 0x55; // inside block 2's compressed data
        Files.write(c, all);
        assertRefused(4, "c.img.xz", tmp, "build", "--base", c.toString(), "--out", tmp.resolve("o.img.xz").toString());
    }

    @Test
    void build_zipWithTwoEntries_isInvalid() throws Exception {
        Path raw = Samples.sampleRaw(tmp);
        Path notes = tmp.resolve("notes.txt");
        Files.writeString(notes, "x");
        Path zip = tmp.resolve("two.zip");
        Oracles.check("zip", "-j", "-q", zip.toString(), raw.toString(), notes.toString());
        Files.delete(raw);
        Files.delete(notes);
        assertRefused(2, "exactly one image", tmp, "build", "--base", zip.toString(), "--out",
                tmp.resolve("o.img.xz").toString());
    }

    @Test
    void build_notADiskImage_isInvalid() throws Exception {
        Path f = tmp.resolve("readme.md");
        Files.writeString(f, "# not an image\n".repeat(100));
        assertRefused(2, "not a disk image", tmp, "build", "--base", f.toString(), "--out",
                tmp.resolve("o.img.xz").toString());
    }

    @Test
    void build_gptDisk_isUnsupported() throws Exception {
        Path g = tmp.resolve("gpt.img");
        Oracles.check("truncate", "-s", "8M", g.toString());
        Oracles.check("sh", "-c", "printf 'label: gpt\\nstart=2048, size=4096\\n' | sfdisk --quiet \"$0\"",
                g.toString());
        assertRefused(3, "GPT", tmp, "build", "--base", g.toString(), "--out", tmp.resolve("o.img.xz").toString());
    }

    @Test
    void build_overlayTooBigForBoot_isNoSpace() throws Exception {
        Path d = tmp.resolve("big");
        Path f = Files.createDirectories(d.resolve("boot/firmware")).resolve("huge.bin");
        Oracles.check("truncate", "-s", "60M", f.toString());
        Path outDir = Files.createDirectories(tmp.resolve("outdir"));
        assertRefused(5, "huge.bin", outDir, "build", "--base", Samples.sampleXz().toString(), "--out",
                outDir.resolve("o.img.xz").toString(), "--overlay", d.toString());
    }

    @Test
    void build_overlayWritingTheManifestPath_isInvalid() throws Exception {
        Path d = tmp.resolve("forged");
        Files.writeString(Files.createDirectories(d.resolve("etc/hydrapi")).resolve("manifest.json"), "{}\n");
        Path outDir = Files.createDirectories(tmp.resolve("outdir"));
        assertRefused(2, "hydrapi writes the build manifest there", outDir, "build", "--base",
                Samples.sampleXz().toString(), "--out", outDir.resolve("o.img.xz").toString(), "--overlay",
                d.toString());
    }

    @Test
    void build_outEqualsBase_isRefusedAndBaseUntouched() throws Exception {
        Path raw = Samples.sampleRaw(tmp);
        Path xz = tmp.resolve("same.img.xz");
        Files.copy(Samples.sampleXz(), xz);
        byte[] before = Files.readAllBytes(xz);
        assertRefused(2, "is the base image", tmp, "build", "--base", xz.toString(), "--out", xz.toString());
        assertArrayEquals(before, Files.readAllBytes(xz));
        assertFalse(Files.exists(tmp.resolve("same.img.xz.sha256")));
        assertTrue(Files.exists(raw));
    }

    @Test
    void build_missingRequiredOption_isUsage() {
        Cli.Run r = Cli.run("build", "--out", tmp.resolve("o.img.xz").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("--base"), r.stderr());
    }

    @Test
    void help_listsExitCodes() {
        Cli.Run r = Cli.run("build", "--help");
        assertEquals(0, r.exitCode());
        String flat = r.out().replaceAll("\\s+", " ");
        for (ExitCode c : ExitCode.values()) {
            assertTrue(flat.contains(c.code + " " + c.description), c + " missing from --help:\n" + r.out());
        }
        assertTrue(Cli.run("--version").out().startsWith("hydrapi "));
    }
}
