// SPDX-License-Identifier: Apache-2.0
package hydrapi.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The root's size try reports before and after a boot, against sfdisk's and debugfs' view of the same disk. */
class RootSizeTest {

    @TempDir
    Path tmp;

    @Test
    void read_sampleDiskGrownAsACard_partitionAndFilesystemAsSfdiskAndDebugfsSeeThem() throws Exception {
        Path disk = Samples.sampleRaw(tmp);
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(1L << 30);   // the file only, as try does: partition and filesystem stay as they were
        }
        RootSize r = RootSize.read(disk).orElseThrow();
        assertEquals(1L << 30, r.diskBytes());
        assertEquals(2, r.partition());
        assertEquals(value(Oracles.run("sfdisk", "-l", "-o", "Device,Sectors", disk.toString()).out(),
                "(?m)^\\S+2\\s+(\\d+)$") * 512, r.partitionBytes());
        String stats = Oracles.run("debugfs", "-R", "stats", disk + "?offset=" + Samples.ROOT_OFFSET).out();
        assertEquals(value(stats, "Block count:\\s+(\\d+)") * value(stats, "Block size:\\s+(\\d+)"),
                r.filesystemBytes());
        assertTrue(r.journalClean());
        assertEquals("1.1 GB", RootSize.gb(r.diskBytes()));
        assertEquals("1.00 GiB", RootSize.gib(r.diskBytes()));
    }

    private static long value(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in\n" + text);
        return Long.parseLong(m.group(1));
    }
}
