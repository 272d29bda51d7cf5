// SPDX-License-Identifier: Apache-2.0
package hydrapi.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hydrapi.disk.Mbr;
import hydrapi.io.FileBlockDevice;
import hydrapi.testkit.Samples;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountTableTest {

    @TempDir
    Path tmp;

    private Mbr sampleMbr() throws Exception {
        try (FileBlockDevice dev = FileBlockDevice.openReadOnly(Samples.sampleRaw(tmp))) {
            return Mbr.read(dev, "sample");
        }
    }

    @Test
    void from_partuuidFstab_mapsBothPartitions() throws Exception {
        String fstab = "proc /proc proc defaults 0 0\n"
                + "PARTUUID=" + Samples.DISK_ID + "-01  /boot/firmware  vfat defaults 0 2\n"
                + "PARTUUID=" + Samples.DISK_ID.toUpperCase() + "-02  /  ext4 defaults,noatime 0 1\n";
        MountTable t = MountTable.from(fstab.getBytes(StandardCharsets.UTF_8), sampleMbr(), Map.of(), 2);
        assertEquals(1, t.resolve("/boot/firmware/config.txt").orElseThrow().mount().partition());
        assertEquals("/config.txt", t.resolve("/boot/firmware/config.txt").orElseThrow().innerPath());
        assertEquals("/", t.resolve("/boot/firmware").orElseThrow().innerPath());
        assertEquals(2, t.resolve("/boot/firmwarex").orElseThrow().mount().partition());
        assertEquals("/etc/passwd", t.resolve("/etc/passwd").orElseThrow().innerPath());
    }

    @Test
    void from_labelsAndOldBootMount() throws Exception {
        String fstab = "LABEL=bootfs /boot vfat defaults 0 2\n/dev/mmcblk0p2 / ext4 defaults 0 1\n";
        MountTable t = MountTable.from(fstab.getBytes(StandardCharsets.UTF_8), sampleMbr(),
                Map.of(1, "bootfs", 2, "rootfs"), 2);
        assertEquals(1, t.resolve("/boot/cmdline.txt").orElseThrow().mount().partition());
        assertEquals("/boot", t.mountPointOf(1).orElseThrow());
    }

    @Test
    void from_noFstab_fallsBackToBootFirmwareForPartition1() throws Exception {
        MountTable t = MountTable.from(null, sampleMbr(), Map.of(), 2);
        assertEquals("/boot/firmware", t.mountPointOf(1).orElseThrow());
        assertTrue(t.resolve("/etc/hostname").isPresent());
    }
}
