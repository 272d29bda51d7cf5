// SPDX-License-Identifier: Apache-2.0
package hydrapi.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.testkit.Oracles;
import hydrapi.testkit.Samples;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

    @TempDir
    Path tmp;

    @Test
    void inspect_showsPartitionTableWithFilesystemsAndMounts() {
        Cli.Run r = Cli.run("inspect", Samples.sampleXz().toString());
        assertEquals(0, r.exitCode(), r.stderr());
        String out = r.out();
        assertTrue(out.contains("disk id " + Samples.DISK_ID), out);
        assertTrue(out.matches("(?s).*\\n1\\s+W95 FAT32\\s+" + Samples.BOOT_OFFSET + "\\s+" + Samples.BOOT_SIZE
                + "\\s+fat32\\s+bootfs\\s+/boot/firmware\\s+" + Samples.DISK_ID + "-01.*"), out);
        assertTrue(out.matches("(?s).*\\n2\\s+Linux\\s+" + Samples.ROOT_OFFSET + "\\s+" + Samples.ROOT_SIZE
                + "\\s+ext4\\s+rootfs\\s+/\\s+" + Samples.DISK_ID + "-02.*"), out);
    }

    @Test
    void inspect_catBootAndRootFiles_matchMtoolsAndDebugfs() throws Exception {
        Path raw = Samples.sampleRaw(tmp);
        Cli.Run boot = Cli.run("inspect", Samples.sampleXz().toString(), "--cat", "/boot/firmware/cmdline.txt");
        assertEquals(0, boot.exitCode(), boot.stderr());
        assertArrayEquals(Oracles.mtype(raw, Samples.BOOT_OFFSET, "/cmdline.txt"), boot.stdout());
        Cli.Run fstab = Cli.run("inspect", raw.toString(), "--cat", "/etc/fstab");
        assertEquals(0, fstab.exitCode(), fstab.stderr());
        assertArrayEquals(Oracles.debugfsCat(raw, Samples.ROOT_OFFSET, "/etc/fstab"), fstab.stdout());
    }

    @Test
    void inspect_lsShowsModesOwnersAndSymlinks() {
        Cli.Run etc = Cli.run("inspect", Samples.sampleXz().toString(), "--ls", "/etc");
        assertEquals(0, etc.exitCode(), etc.stderr());
        assertTrue(etc.out().matches("(?s).*-rw-r-----\\s+0\\s+42\\s+\\d+ \\S+ shadow\\n.*"), etc.out());
        Cli.Run root = Cli.run("inspect", Samples.sampleXz().toString(), "--ls", "/");
        assertTrue(root.out().contains("bin -> usr/bin"), root.out());
        Cli.Run fw = Cli.run("inspect", Samples.sampleXz().toString(), "--ls", "/boot/firmware/overlays", "--json");
        assertTrue(fw.out().contains("\"name\": \"overlay-number-40.dtbo\""), fw.out());
    }

    @Test
    void inspect_manifest_ofAnImageWithoutOne_saysSo() {
        Cli.Run r = Cli.run("inspect", Samples.sampleXz().toString(), "--manifest");
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("holds no /etc/hydrapi/manifest.json")
                && r.stderr().strip().lines().count() == 1, r.stderr());
    }

    @Test
    void inspect_manifest_thatIsNoManifest_isCorrupt() throws Exception {
        // The build refuses that path from an overlay, so debugfs puts JSON there that is no manifest.
        Path raw = Samples.sampleRaw(tmp);
        Path junk = tmp.resolve("junk.json");
        java.nio.file.Files.writeString(junk, "{\"hello\": 1}\n");
        Oracles.check("debugfs", "-w", "-R", "mkdir /etc/hydrapi", raw + "?offset=" + Samples.ROOT_OFFSET);
        Oracles.check("debugfs", "-w", "-R", "write " + junk + " /etc/hydrapi/manifest.json",
                raw + "?offset=" + Samples.ROOT_OFFSET);
        Cli.Run r = Cli.run("inspect", raw.toString(), "--manifest");
        assertEquals(4, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("hydrapi_manifest"), r.stderr());
    }

    @Test
    void inspect_missingPath_isUsageError() {
        Cli.Run r = Cli.run("inspect", Samples.sampleXz().toString(), "--cat", "/boot/firmware/nope.txt");
        assertEquals(2, r.exitCode());
        assertTrue(r.stderr().contains("no such file"), r.stderr());
    }
}
