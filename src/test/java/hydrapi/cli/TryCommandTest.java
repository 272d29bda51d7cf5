// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.boot.Ending;
import hydrapi.boot.GuestArch;
import hydrapi.boot.RootSize;
import hydrapi.boot.TrialBoot;
import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** try's refusals, before any QEMU runs: one line, the Debian package to install, the documented exit code. */
class TryCommandTest {

    @TempDir
    Path tmp;

    /** The sample base with a root whose /usr/bin/env is an ELF of {@code machine}, and optionally a /boot kernel. */
    private Path image(int machine, boolean kernel) throws Exception {
        Path ov = tmp.resolve("ov-" + machine + "-" + kernel);
        byte[] elf = new byte[64];
        elf[0] = 0x7F;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        elf[4] = 2;
        elf[5] = 1;
        elf[0x12] = (byte) machine;
        Files.createDirectories(ov.resolve("usr/bin"));
        Files.write(ov.resolve("usr/bin/env"), elf);
        if (kernel) {
            Files.createDirectories(ov.resolve("boot"));
            Files.writeString(ov.resolve("boot/vmlinuz-6.1.0-9-amd64"), "k");
            Files.writeString(ov.resolve("boot/initrd.img-6.1.0-9-amd64"), "i");
        }
        Path out = tmp.resolve("img-" + machine + "-" + kernel + ".img.xz");
        Cli.Run r = Cli.run("build", "--base", Samples.sampleXz().toString(), "--out", out.toString(), "--overlay",
                ov.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.stderr());
        return out;
    }

    private static Cli.Run tryWithPath(String path, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", path);
        String[] a = new String[args.length + 1];
        a[0] = "try";
        System.arraycopy(args, 0, a, 1, args.length);
        return Cli.run(env, a);
    }

    private void assertNoTrialLeft() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("hydrapi-try-")), "work dir left");
        }
    }

    @Test
    void try_withoutQemu_namesTheDebianPackage_exit6() throws Exception {
        Cli.Run r = tryWithPath(tmp.resolve("empty").toString(), image(0x3E, true).toString());
        assertEquals(ExitCode.IO.code, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("qemu-system-x86_64") && r.stderr().contains("apt-get install qemu-system-x86"),
                r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        r = tryWithPath(tmp.resolve("empty").toString(), image(0xB7, false).toString());
        assertEquals(ExitCode.IO.code, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("apt-get install qemu-system-arm"), r.stderr());
        assertNoTrialLeft();
    }

    @Test
    void try_withoutKernel_namesTheKernelPackage() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String q : new String[] {"qemu-system-x86_64", "qemu-system-aarch64"}) {
            Path p = bin.resolve(q);
            Files.writeString(p, "#!/bin/sh\nexit 1\n");
            p.toFile().setExecutable(true);
        }
        Cli.Run r = tryWithPath(bin.toString(), image(0x3E, false).toString());
        assertEquals(ExitCode.UNSUPPORTED.code, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("linux-image-amd64"), r.stderr());
        r = tryWithPath(bin.toString(), image(0xB7, false).toString());
        assertEquals(ExitCode.USAGE.code, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("--kernel-deb") && r.stderr().contains("linux-image-arm64"), r.stderr());
        r = tryWithPath(bin.toString(), image(0x3E, true).toString(), "--kernel-deb", "x.deb");
        assertEquals(ExitCode.USAGE.code, r.exitCode(), r.stderr());
        assertNoTrialLeft();
    }

    @Test
    void cardBytes_decimalAsCardsAreSoldBinaryWithI_roundedDownToSectors() throws Exception {
        assertEquals(32_000_000_000L, TryCommand.cardBytes("32G"));
        assertEquals(16_000_000_000L, TryCommand.cardBytes("16GB"));
        assertEquals(8_000_000_000L, TryCommand.cardBytes("8000m"));
        assertEquals(15_891_378_688L, TryCommand.cardBytes("14.8GiB"));   // 14.8 * 2^30 = 15891378995.2, in sectors
        assertEquals(2L << 40, TryCommand.cardBytes("2TiB"));
        for (String bad : new String[] {"32", "G", "-1G", "1.5.2G", "32 gigs", "0.5K", "9999999T"}) {
            assertThrows(hydrapi.InvalidInputException.class, () -> TryCommand.cardBytes(bad), bad);
        }
    }

    /** --json carries the card, the boots and the root before and after (null where the journal was not replayed). */
    @Test
    void json_cardBootsAndRootSizes() throws Exception {
        TrialBoot.Outcome o = new TrialBoot.Outcome(Ending.WAITING, true, Optional.empty(), "x", Optional.empty(),
                GuestArch.X86_64, false, 16_000_000_000L,
                Optional.of(new RootSize(3_292_528_640L, 2, 3L << 30, 3L << 30, false)),
                Optional.of(new RootSize(16_000_000_000L, 2, 15_928_696_832L, 15_928_692_736L, true)), 2);
        Object parsed = hydrapi.json.JsonReader.parse(Json.write(TryCommand.json(o)), "try --json");
        assertEquals(Map.of("partition", 2L, "partitionBytes", 3L << 30), withoutNulls(((Map<?, ?>) parsed)
                .get("rootBefore")));
        assertEquals(Map.of("partition", 2L, "partitionBytes", 15_928_696_832L, "filesystemBytes", 15_928_692_736L),
                ((Map<?, ?>) parsed).get("rootAfter"));
        assertEquals(16_000_000_000L, ((Map<?, ?>) parsed).get("cardBytes"));
        assertEquals(2L, ((Map<?, ?>) parsed).get("boots"));
    }

    private static Map<Object, Object> withoutNulls(Object map) {
        Map<Object, Object> m = new HashMap<>((Map<?, ?>) map);
        assertTrue(m.get("filesystemBytes") == hydrapi.json.JsonValue.NULL, map.toString());
        m.values().removeIf(v -> v == hydrapi.json.JsonValue.NULL);
        return m;
    }

    /** A card smaller than the image is refused before anything is decoded or booted. */
    @Test
    void try_cardSmallerThanTheImage_isAUsageError() throws Exception {
        Cli.Run r = tryWithPath(tmp.resolve("empty").toString(), image(0x3E, true).toString(), "--card-size", "10M");
        assertEquals(ExitCode.USAGE.code, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("larger than a card of 9999872 bytes (0.0 GB)"), r.stderr());
        assertNoTrialLeft();
    }

    @Test
    void try_badOptionsAndNonDebianImages_areUsageErrors() throws Exception {
        Cli.Run r = Cli.run("try", Samples.sampleXz().toString(), "--net", "bridge");
        assertEquals(ExitCode.USAGE.code, r.exitCode(), r.stderr());
        // The sample's root has no binaries: the architecture cannot be told.
        r = Cli.run("try", Samples.sampleXz().toString());
        assertEquals(ExitCode.USAGE.code, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("cannot tell its architecture"), r.stderr());
        r = Cli.run("try", tmp.resolve("missing.img.xz").toString());
        assertEquals(ExitCode.IO.code, r.exitCode(), r.stderr());
    }
}
