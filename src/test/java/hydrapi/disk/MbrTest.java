// SPDX-License-Identifier: Apache-2.0
package hydrapi.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.CorruptImageException;
import hydrapi.HydrapiException;
import hydrapi.InvalidInputException;
import hydrapi.UnsupportedImageException;
import hydrapi.io.FileBlockDevice;
import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MbrTest {

    @TempDir
    Path tmp;

    @Test
    void read_sample_matchesSfdisk() throws Exception {
        Path raw = Samples.sampleRaw(tmp);
        String dump = Oracles.run("sfdisk", "-d", raw.toString()).out();
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(raw)) {
            Mbr mbr = Mbr.read(dev, "sample");
            assertTrue(dump.contains("label-id: 0x" + String.format("%08x", mbr.diskId())), dump);
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("start=\\s*(\\d+), size=\\s*(\\d+), type=(\\w+)").matcher(dump);
            List<String> expected = new java.util.ArrayList<>();
            while (m.find()) {
                expected.add(m.group(1) + "+" + m.group(2) + ":" + m.group(3));
            }
            List<String> ours = mbr.partitions().stream()
                    .map(e -> e.startLba() + "+" + e.sectorCount() + ":" + Integer.toHexString(e.type())).toList();
            assertEquals(expected, ours);
            assertEquals(Samples.DISK_ID + "-02", mbr.partUuid(2));
        }
    }

    @Test
    void read_gptDisk_isRefusedByName() throws Exception {
        Path img = tmp.resolve("gpt.img");
        Files.write(img, new byte[0]);
        Oracles.check("truncate", "-s", "8M", img.toString());
        // sfdisk reads its script from standard input, which Oracles closes: feed it through sh.
        Oracles.check("sh", "-c", "printf 'label: gpt\\nstart=2048, size=4096\\n' | sfdisk --quiet \"$0\"",
                img.toString());
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(img)) {
            UnsupportedImageException e = assertThrows(UnsupportedImageException.class, () -> Mbr.read(dev, "gpt.img"));
            assertTrue(e.getMessage().contains("GPT"), e.getMessage());
        }
    }

    @Test
    void read_notADisk_isInvalidInput() throws Exception {
        Path f = tmp.resolve("notes.txt");
        Files.writeString(f, "hello\n".repeat(200));
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(f)) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Mbr.read(dev, "notes.txt"));
            assertTrue(e.getMessage().contains("not a disk image"), e.getMessage());
        }
    }

    @Test
    void read_partitionPastEnd_isCorrupt() throws Exception {
        Path raw = Samples.sampleRaw(tmp);
        Path cut = tmp.resolve("cut.img");
        Oracles.check("dd", "if=" + raw, "of=" + cut, "bs=1M", "count=50", "status=none");
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(cut)) {
            CorruptImageException e = assertThrows(CorruptImageException.class, () -> Mbr.read(dev, "cut.img"));
            assertTrue(e.getMessage().contains("partition 2"), e.getMessage());
        }
    }

    @Test
    void read_randomSector0Mutations_throwOnlyOurExceptions() throws Exception {
        Path raw = Samples.sampleRaw(tmp);
        byte[] s0 = new byte[1024];
        try (var in = Files.newInputStream(raw)) {
            in.readNBytes(s0, 0, s0.length);
        }
        long seed = Long.getLong("hydrapi.seed", System.nanoTime());
        Random rnd = new Random(seed);
        for (int round = 0; round < 300; round++) {
            byte[] m = s0.clone();
            for (int k = 0; k < 1 + rnd.nextInt(6); k++) {
                m[0x1B8 + rnd.nextInt(m.length - 0x1B8 - 512 + 72)] ^= (byte) (1 << rnd.nextInt(8));
            }
            Path f = tmp.resolve("m.img");
            Files.write(f, m);
            try (FileBlockDevice dev = FileBlockDevice.openReadOnly(f)) {
                Mbr.read(dev, "m.img");
            } catch (HydrapiException expected) {
                // refused with one of ours: fine
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " round " + round + ": " + e, e);
            }
        }
    }
}
